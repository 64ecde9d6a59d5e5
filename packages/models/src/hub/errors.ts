import { ExpError } from '@exp/data';
/** A hub download that failed; the message says what to do about it. */
export class HubError extends ExpError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'HubError';
  }
}

/** 401 / 403: the repo is private or gated, or the token is refused. */
export class HubAuthError extends HubError {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = 'HubAuthError';
  }
}

/** 404: repository, revision, subfolder or file does not exist. */
export class HubNotFoundError extends HubError {
  constructor(message: string) {
    super(message);
    this.name = 'HubNotFoundError';
  }
}

/** The endpoint cannot be reached at all (DNS, refused connection, no network). */
export class HubUnreachableError extends HubError {
  constructor(endpoint: string, cause?: unknown) {
    super(
      `cannot reach ${endpoint}; set HF_ENDPOINT or download on another machine and use --checkpoint`,
      { cause },
    );
    this.name = 'HubUnreachableError';
  }
}

/** A download that stopped early (resumable) or whose bytes do not match the hub's hash. */
export class HubDownloadError extends HubError {
  constructor(
    message: string,
    readonly resumable: boolean,
  ) {
    super(message);
    this.name = 'HubDownloadError';
  }
}
