/** Host of a URL, or of an OCI reference without scheme (`ghcr.io/org/charts`). */
export function hostOf(url: string): string | undefined {
  const m = /^(?:[a-z][a-z0-9+.-]*:\/\/)?(?:[^@/]+@)?([^/:?#]+(?::\d+)?)/i.exec(url);
  return m?.[1]?.toLowerCase();
}
