const TOKEN_KEY = 'telemetry.accessToken';
const NOTICE_KEY = 'telemetry.signInNotice';

/**
 * The access token the user typed, kept in sessionStorage: it lives as long as the tab and is never
 * written to localStorage or a cookie.
 */
export class Session {
  constructor(private readonly storage: Storage = sessionStorage) {}

  get token(): string | null {
    return this.storage.getItem(TOKEN_KEY);
  }

  signIn(token: string): void {
    this.storage.setItem(TOKEN_KEY, token);
    this.storage.removeItem(NOTICE_KEY);
  }

  /** Forgets the token; `notice` is shown once on the sign-in form (why the user is back there). */
  signOut(notice?: string): void {
    this.storage.removeItem(TOKEN_KEY);
    if (notice) this.storage.setItem(NOTICE_KEY, notice);
    else this.storage.removeItem(NOTICE_KEY);
  }

  /** The notice left by `signOut`, removed as it is read. */
  takeNotice(): string | null {
    const notice = this.storage.getItem(NOTICE_KEY);
    this.storage.removeItem(NOTICE_KEY);
    return notice;
  }
}
