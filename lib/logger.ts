// One line per message, key=value pairs, so logs stay greppable. Callers never pass secrets.
export function logInfo(message: string): void {
  console.log(message);
}

export function logError(message: string): void {
  console.error(message);
}
