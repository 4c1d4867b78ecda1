/** A promise and the function that resolves it: a step a test holds until it says so. */
export function deferred() {
  let resolve = () => {};
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}
