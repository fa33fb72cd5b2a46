/** Yields the last frame of each message a receiving socket gets (the payload), until the socket closes. */
export async function* lastFrames(sock: AsyncIterable<Buffer[]>): AsyncGenerator<Buffer> {
  try {
    for await (const frames of sock) {
      const last = frames[frames.length - 1];
      if (last) yield last;
    }
  } catch {
    // Closing the socket ends the iteration.
  }
}
