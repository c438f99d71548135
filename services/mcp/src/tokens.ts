export const MCP_CONFIG = Symbol('MCP_CONFIG');
export const AUTHENTICATOR = Symbol('AUTHENTICATOR');
/** The ServerDeps every per-request MCP server is built from. */
export const SERVER_DEPS = Symbol('SERVER_DEPS');
