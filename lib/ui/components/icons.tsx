/** Stroke icons (24×24, 1.75 stroke, currentColor), drawn after the Lucide set. */
import type { ReactNode, SVGProps } from "react";

type IconProps = SVGProps<SVGSVGElement> & { size?: number };

function icon(paths: ReactNode, name: string) {
  function Icon({ size = 16, ...rest }: IconProps) {
    return (
      <svg
        width={size}
        height={size}
        viewBox="0 0 24 24"
        fill="none"
        stroke="currentColor"
        strokeWidth={1.75}
        strokeLinecap="round"
        strokeLinejoin="round"
        aria-hidden="true"
        focusable="false"
        {...rest}
      >
        {paths}
      </svg>
    );
  }
  Icon.displayName = name;
  return Icon;
}

export const IconPlay = icon(<path d="M6 4.5v15l13-7.5z" />, "IconPlay");
export const IconStop = icon(<rect x="6" y="6" width="12" height="12" rx="1.5" />, "IconStop");
export const IconRefresh = icon(
  <>
    <path d="M21 12a9 9 0 0 1-15.5 6.2L3 15.5" />
    <path d="M3 12a9 9 0 0 1 15.5-6.2L21 8.5" />
    <path d="M21 3v5.5h-5.5" />
    <path d="M3 21v-5.5h5.5" />
  </>,
  "IconRefresh",
);
export const IconCheck = icon(<path d="M20 6 9 17l-5-5" />, "IconCheck");
export const IconX = icon(<path d="M18 6 6 18M6 6l12 12" />, "IconX");
export const IconTrash = icon(
  <>
    <path d="M3 6h18" />
    <path d="M8 6V4.5A1.5 1.5 0 0 1 9.5 3h5A1.5 1.5 0 0 1 16 4.5V6" />
    <path d="M5.5 6l1 13.5A1.5 1.5 0 0 0 8 21h8a1.5 1.5 0 0 0 1.5-1.5l1-13.5" />
    <path d="M10 11v6M14 11v6" />
  </>,
  "IconTrash",
);
export const IconPlus = icon(<path d="M12 5v14M5 12h14" />, "IconPlus");
export const IconSearch = icon(
  <>
    <circle cx="11" cy="11" r="7" />
    <path d="m20 20-3.5-3.5" />
  </>,
  "IconSearch",
);
export const IconChevronDown = icon(<path d="m6 9 6 6 6-6" />, "IconChevronDown");
export const IconChevronRight = icon(<path d="m9 6 6 6-6 6" />, "IconChevronRight");
export const IconChevronLeft = icon(<path d="m15 6-6 6 6 6" />, "IconChevronLeft");
export const IconArrowUpDown = icon(<path d="M7 4v16M7 20l-3-3M7 20l3-3M17 20V4M17 4l-3 3M17 4l3 3" />, "IconArrowUpDown");
export const IconArrowUp = icon(<path d="M12 19V5M5 12l7-7 7 7" />, "IconArrowUp");
export const IconArrowDown = icon(<path d="M12 5v14M19 12l-7 7-7-7" />, "IconArrowDown");
export const IconBranch = icon(
  <>
    <circle cx="6" cy="5" r="2" />
    <circle cx="6" cy="19" r="2" />
    <circle cx="18" cy="7" r="2" />
    <path d="M6 7v10M18 9c0 5-6 4-11.5 8.5" />
  </>,
  "IconBranch",
);
export const IconTerminal = icon(
  <>
    <path d="m5 8 4 4-4 4" />
    <path d="M12 17h7" />
  </>,
  "IconTerminal",
);
export const IconFile = icon(
  <>
    <path d="M14 3H7a2 2 0 0 0-2 2v14a2 2 0 0 0 2 2h10a2 2 0 0 0 2-2V8z" />
    <path d="M14 3v5h5" />
  </>,
  "IconFile",
);
export const IconCopy = icon(
  <>
    <rect x="9" y="9" width="11" height="11" rx="2" />
    <path d="M5 15V5a2 2 0 0 1 2-2h8" />
  </>,
  "IconCopy",
);
export const IconExternal = icon(
  <>
    <path d="M14 4h6v6" />
    <path d="M20 4 11 13" />
    <path d="M18 14v4a2 2 0 0 1-2 2H6a2 2 0 0 1-2-2V8a2 2 0 0 1 2-2h4" />
  </>,
  "IconExternal",
);
export const IconSun = icon(
  <>
    <circle cx="12" cy="12" r="4" />
    <path d="M12 2v2M12 20v2M4.9 4.9l1.4 1.4M17.7 17.7l1.4 1.4M2 12h2M20 12h2M4.9 19.1l1.4-1.4M17.7 6.3l1.4-1.4" />
  </>,
  "IconSun",
);
export const IconMoon = icon(<path d="M20 14.5A8 8 0 0 1 9.5 4a8 8 0 1 0 10.5 10.5z" />, "IconMoon");
export const IconMonitor = icon(
  <>
    <rect x="3" y="4" width="18" height="12" rx="2" />
    <path d="M8 20h8M12 16v4" />
  </>,
  "IconMonitor",
);
export const IconDownload = icon(
  <>
    <path d="M12 4v11" />
    <path d="m7 10 5 5 5-5" />
    <path d="M5 20h14" />
  </>,
  "IconDownload",
);
export const IconSend = icon(
  <>
    <path d="M21 3 10 14" />
    <path d="M21 3 14.5 21l-4.5-7-7-4.5z" />
  </>,
  "IconSend",
);
export const IconAlert = icon(
  <>
    <path d="M10.3 3.9 2.4 17.5A2 2 0 0 0 4.1 20.5h15.8a2 2 0 0 0 1.7-3L13.7 3.9a2 2 0 0 0-3.4 0z" />
    <path d="M12 9v4M12 17h.01" />
  </>,
  "IconAlert",
);
export const IconInfo = icon(
  <>
    <circle cx="12" cy="12" r="9" />
    <path d="M12 11v5M12 8h.01" />
  </>,
  "IconInfo",
);
export const IconBox = icon(
  <>
    <path d="M21 8 12 3 3 8v8l9 5 9-5z" />
    <path d="m3 8 9 5 9-5M12 13v8" />
  </>,
  "IconBox",
);
export const IconGrid = icon(
  <>
    <rect x="3.5" y="3.5" width="7" height="7" rx="1.5" />
    <rect x="13.5" y="3.5" width="7" height="7" rx="1.5" />
    <rect x="3.5" y="13.5" width="7" height="7" rx="1.5" />
    <rect x="13.5" y="13.5" width="7" height="7" rx="1.5" />
  </>,
  "IconGrid",
);
export const IconFolder = icon(<path d="M3 7a2 2 0 0 1 2-2h4l2 2.5h8a2 2 0 0 1 2 2V18a2 2 0 0 1-2 2H5a2 2 0 0 1-2-2z" />, "IconFolder");
export const IconList = icon(<path d="M8 6h13M8 12h13M8 18h13M3.5 6h.01M3.5 12h.01M3.5 18h.01" />, "IconList");
export const IconCode = icon(<path d="m16 18 6-6-6-6M8 6l-6 6 6 6" />, "IconCode");
export const IconPullRequest = icon(
  <>
    <circle cx="6" cy="5.5" r="2" />
    <circle cx="6" cy="18.5" r="2" />
    <circle cx="18" cy="18.5" r="2" />
    <path d="M6 7.5v9M18 16.5V9a3 3 0 0 0-3-3h-4M13 3.5 10.5 6 13 8.5" />
  </>,
  "IconPullRequest",
);
export const IconSync = icon(
  <>
    <path d="M4 12a8 8 0 0 1 13.7-5.6L20 8.5" />
    <path d="M20 4v4.5h-4.5" />
    <path d="M20 12a8 8 0 0 1-13.7 5.6L4 15.5" />
    <path d="M4 20v-4.5h4.5" />
  </>,
  "IconSync",
);
export const IconFlag = icon(
  <>
    <path d="M5 21V4" />
    <path d="M5 4h11l-2 4 2 4H5" />
  </>,
  "IconFlag",
);
export const IconSpark = icon(
  <path d="M12 3v4M12 17v4M3 12h4M17 12h4M5.6 5.6l2.8 2.8M15.6 15.6l2.8 2.8M5.6 18.4l2.8-2.8M15.6 8.4l2.8-2.8" />,
  "IconSpark",
);
export const IconUser = icon(
  <>
    <circle cx="12" cy="8" r="4" />
    <path d="M4 21a8 8 0 0 1 16 0" />
  </>,
  "IconUser",
);
export const IconWrench = icon(
  <path d="M14.7 6.3a4 4 0 0 0 5 5L21 13l-8 8-4-4 8-8zM3 21l6-6" />,
  "IconWrench",
);
export const IconBook = icon(
  <>
    <path d="M4 19.5A2.5 2.5 0 0 1 6.5 17H20V3H6.5A2.5 2.5 0 0 0 4 5.5z" />
    <path d="M4 19.5A2.5 2.5 0 0 0 6.5 22H20v-5" />
  </>,
  "IconBook",
);
export const IconActivity = icon(<path d="M3 12h4l3-8 4 16 3-8h4" />, "IconActivity");
export const IconLoader = icon(<path d="M12 3a9 9 0 1 0 9 9" />, "IconLoader");
export const IconDollar = icon(<path d="M12 2v20M17 6H9.5a3.5 3.5 0 0 0 0 7h5a3.5 3.5 0 0 1 0 7H6" />, "IconDollar");
export const IconClock = icon(
  <>
    <circle cx="12" cy="12" r="9" />
    <path d="M12 7v5l3 2" />
  </>,
  "IconClock",
);
export const IconLogo = icon(
  <>
    <path d="M12 2.5 20.5 7v10L12 21.5 3.5 17V7z" />
    <path d="M8.5 9.5 11 12l-2.5 2.5M13 14.5h3" />
  </>,
  "IconLogo",
);
