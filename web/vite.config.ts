import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";
import { VitePWA } from "vite-plugin-pwa";

// The app is served by the Caddy proxy on https://localhost:8443 (same origin as /api and /auth).
// `npm run dev` proxies those paths there, so the dev server behaves like production.
export default defineConfig({
  plugins: [
    react(),
    VitePWA({
      // A new version waits until every Intervu tab is closed: never a reload in the middle of a recording.
      registerType: "prompt",
      includeAssets: ["favicon.svg"],
      manifest: {
        name: "Intervu: interview practice",
        short_name: "Intervu",
        description: "Practise job interviews with an AI interviewer and get honest, specific feedback.",
        theme_color: "#3b3bb3",
        background_color: "#f6f7fb",
        display: "standalone",
        start_url: "/",
        icons: [
          { src: "/icons/icon-192.png", sizes: "192x192", type: "image/png" },
          { src: "/icons/icon-512.png", sizes: "512x512", type: "image/png" },
          { src: "/icons/icon-512.png", sizes: "512x512", type: "image/png", purpose: "maskable" },
        ],
      },
      workbox: {
        // The shell only: API calls, Keycloak and signed media always go to the network.
        navigateFallback: "/index.html",
        navigateFallbackDenylist: [/^\/api\//, /^\/auth\//, /^\/callback/, /^\/silent-callback/],
        globPatterns: ["**/*.{js,css,html,svg,png,woff2}"],
        importScripts: ["/push-sw.js"],
      },
    }),
  ],
  build: {
    // The app, and the small page a silent sign-in loads in a hidden frame.
    rollupOptions: { input: { main: "index.html", silent: "silent-callback.html" } },
  },
  server: {
    port: 5173,
    proxy: {
      "/api": { target: "https://localhost:8443", secure: false },
      "/auth": { target: "https://localhost:8443", secure: false },
    },
  },
});
