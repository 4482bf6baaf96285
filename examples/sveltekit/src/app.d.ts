import type { Session } from "edge-session";

declare global {
  namespace App {
    interface Locals {
      session: Session<{ user: string; visits: number; notice: string }> | null;
    }
  }
}

export {};
