import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

// The app is served by the Caddy proxy on https://localhost:8443 (same origin as /api and /auth).
// `npm run dev` proxies those paths there, so the dev server behaves like production.
export default defineConfig({
  plugins: [react()],
  server: {
    port: 5173,
    proxy: {
      "/api": { target: "https://localhost:8443", secure: false },
      "/auth": { target: "https://localhost:8443", secure: false },
    },
  },
});
