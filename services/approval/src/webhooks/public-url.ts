/**
 * Where approvers reach the approvers API: CHAPERONE_APPROVAL_PUBLIC_URL, or else this replica's
 * own HTTP address, known only once it listens (the port may be 0 = any).
 */
export class PublicUrl {
  private resolved: string | undefined;

  constructor(configured: string | undefined) {
    this.resolved = configured?.replace(/\/+$/, '');
  }

  /** Called with the listening address; a configured URL wins. */
  listeningAt(url: string): void {
    this.resolved ??= url.replace('[::1]', '127.0.0.1').replace(/\/+$/, '');
  }

  get base(): string {
    return this.resolved ?? 'http://127.0.0.1:9403';
  }

  approval(approvalId: string): string {
    return `${this.base}/approvals/${encodeURIComponent(approvalId)}`;
  }
}
