// Page-wide behaviour shared by every page: remember the browser's time zone for the server.
const TZ_COOKIE = "classmeet_tz";

export function rememberTimeZone() {
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  if (!zone) return;
  const current = document.cookie.split("; ").find((c) => c.startsWith(`${TZ_COOKIE}=`));
  if (current?.split("=")[1] === encodeURIComponent(zone)) return;
  document.cookie = `${TZ_COOKIE}=${encodeURIComponent(zone)}; path=/; max-age=31536000; samesite=lax`;
}

rememberTimeZone();
