// The page's two live regions: errors in role="alert" (the contract's hook), news in role="status".
import { h } from "./dom";

export const alertRegion = h("div", { class: "notice error", role: "alert" });
export const statusRegion = h("div", { class: "notice info", role: "status" });

export function showError(message: string): void {
  statusRegion.textContent = "";
  alertRegion.textContent = message;
}

export function showNews(message: string): void {
  alertRegion.textContent = "";
  statusRegion.textContent = message;
}

export function clearNotices(): void {
  alertRegion.textContent = "";
  statusRegion.textContent = "";
}
