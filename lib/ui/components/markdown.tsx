"use client";
/**
 * Markdown for the agent's text: markdown-to-jsx renders React elements (no innerHTML), raw HTML is
 * not parsed, links open in a new tab, fenced code is coloured by highlight.js.
 */
import Markdown from "markdown-to-jsx/react";
import { memo, useMemo, type ComponentProps } from "react";
import { highlight } from "./highlight";

function Code({ className, children, ...rest }: ComponentProps<"code">) {
  const lang = /(?:lang|language)-([\w+-]+)/.exec(className ?? "")?.[1];
  const text = typeof children === "string" ? children : Array.isArray(children) ? children.join("") : null;
  const html = useMemo(() => (lang && text !== null ? highlight(text, lang) : null), [lang, text]);
  if (html === null) return <code className={className} {...rest}>{children}</code>;
  return <code className={className} {...rest} dangerouslySetInnerHTML={{ __html: html }} />;
}

function A(props: ComponentProps<"a">) {
  return <a {...props} target="_blank" rel="noreferrer noopener" />;
}

const OPTIONS = {
  disableParsingRawHTML: true,
  forceBlock: true,
  overrides: { code: Code, a: A },
};

export const MarkdownText = memo(function MarkdownText({ text }: { text: string }) {
  return (
    <div className="prose-chat">
      <Markdown options={OPTIONS}>{text}</Markdown>
    </div>
  );
});
