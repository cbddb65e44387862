export { type RunningEventForge, startEventForge } from "./app.js";
export { ConfigError, loadConfig, type ServerConfig } from "./config.js";
