/** What the orchestration needs from the runner's log; `@actions/core` provides it in main.ts. */
export interface Log {
  info(message: string): void
  warning(message: string): void
  /** Folds the lines `body` logs under `name`. */
  group<T>(name: string, body: () => Promise<T>): Promise<T>
  /** Hides `secret` from every later line of the log; call before anything could print it. */
  mask(secret: string): void
}
