// The signed-in API key lives in this tab's session storage only: gone when the tab closes, never in
// local storage or a cookie, never sent anywhere but this server's API.
const STORAGE_KEY = 'gpu-shopper.console.api-key';

export const keyStorage = {
  read(): string | null {
    try {
      return window.sessionStorage.getItem(STORAGE_KEY);
    } catch {
      return null;
    }
  },
  write(apiKey: string): void {
    try {
      window.sessionStorage.setItem(STORAGE_KEY, apiKey);
    } catch {
      // Storage refused (private mode, a policy): the key then lasts as long as the page.
    }
  },
  clear(): void {
    try {
      window.sessionStorage.removeItem(STORAGE_KEY);
    } catch {
      // Nothing was stored.
    }
  },
};
