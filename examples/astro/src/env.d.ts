/// <reference types="astro/client" />
declare namespace App {
  interface Locals {
    session: import("edge-session").Session<{ user: string; visits: number; notice: string }> | null;
  }
}
