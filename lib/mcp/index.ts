/** MCP over the method registry: tools, resources and the HTTP transports (see SPEC.md, "MCP"). */
export { mcpRoutes } from "./http";
export { McpConnection, McpHub } from "./server";
export { callTool, listTools, toolName } from "./tools";
export { parseUri, readResource, REPOS_URI, resourceTemplates } from "./resources";
