import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { registerSW } from "virtual:pwa-register";

import { App } from "./app/App";
import "./app/styles.css";

// The service worker makes Intervu installable and lets the app shell open offline; it never caches the API.
// An update is taken at the next visit (no prompt): see registerType in vite.config.ts.
registerSW({ immediate: true });

createRoot(document.getElementById("root")!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
