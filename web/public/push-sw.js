// Web push for Intervu, loaded into the service worker: shows the notice the notifications service sent and
// opens its page when clicked.
self.addEventListener("push", (event) => {
  let notice = { title: "Intervu", body: "", link: "/inbox" };
  try {
    notice = { ...notice, ...event.data.json() };
  } catch {
    if (event.data) notice.body = event.data.text();
  }
  event.waitUntil(
    self.registration.showNotification(notice.title, {
      body: notice.body,
      icon: "/icons/icon-192.png",
      data: { link: notice.link || "/inbox" },
    }),
  );
});

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const link = new URL(event.notification.data?.link || "/inbox", self.location.origin);
  if (link.origin !== self.location.origin) return;
  event.waitUntil(self.clients.openWindow(link.href));
});
