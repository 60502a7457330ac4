/** @type {import('next').NextConfig} */
const nextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  // Served by server.ts; these must stay Node packages, not bundled into the Next graph.
  serverExternalPackages: ["dockerode", "ssh2", "cpu-features", "simple-git", "@modelcontextprotocol/sdk"],
  // Responses stream (SSE); compression would buffer them.
  compress: false,
  typescript: { tsconfigPath: "tsconfig.json" },
};

export default nextConfig;
