import { api, unwrap } from "../api/client";

function urlBase64ToUint8Array(base64: string): Uint8Array<ArrayBuffer> {
  const padded = (base64 + "=".repeat((4 - (base64.length % 4)) % 4)).replace(/-/g, "+").replace(/_/g, "/");
  const raw = atob(padded);
  const bytes = new Uint8Array(new ArrayBuffer(raw.length));
  for (let i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
  return bytes;
}

export function pushSupported(): boolean {
  return "serviceWorker" in navigator && "PushManager" in window && "Notification" in window;
}

/** Asks the browser for permission, subscribes with the notifications service's VAPID key and registers the
 * subscription. Throws with a message a person can act on. */
export async function subscribePush(): Promise<void> {
  if (!pushSupported()) throw new Error("This browser does not support web push notifications.");
  const permission = await Notification.requestPermission();
  if (permission !== "granted") {
    throw new Error("Notifications are blocked for this site: allow them in the browser's site settings.");
  }
  const { public_key } = await unwrap(api.GET("/api/notifications/push/key"));
  const registration = await navigator.serviceWorker.ready;
  const subscription = await registration.pushManager.subscribe({
    userVisibleOnly: true,
    applicationServerKey: urlBase64ToUint8Array(public_key),
  });
  const json = subscription.toJSON();
  await unwrap(
    api.POST("/api/notifications/push/subscriptions", {
      body: { endpoint: subscription.endpoint, keys: { p256dh: json.keys?.p256dh ?? "", auth: json.keys?.auth ?? "" } },
    }),
  );
}

/** Removes this browser's subscription, here and on the server (sign-out on a shared browser). */
export async function unsubscribePush(): Promise<void> {
  if (!pushSupported()) return;
  const registration = await navigator.serviceWorker.getRegistration();
  const subscription = await registration?.pushManager.getSubscription();
  if (!subscription) return;
  const mine = await unwrap(api.GET("/api/notifications/push/subscriptions")).catch(() => []);
  for (const s of mine) {
    if (s.endpoint === subscription.endpoint) {
      await api.DELETE("/api/notifications/push/subscriptions/{subscription_id}", {
        params: { path: { subscription_id: s.id } },
      });
    }
  }
  await subscription.unsubscribe();
}
