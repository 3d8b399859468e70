import { createInterface } from 'node:readline';

export interface Prompter {
  ask(question: string, options?: { secret?: boolean }): Promise<string>;
  close(): void;
}

/**
 * Questions on the terminal. Piped input (tests, scripts) is read line by
 * line; on a terminal a secret is read without echoing it.
 */
export function terminalPrompter(input: NodeJS.ReadStream = process.stdin, output: NodeJS.WriteStream = process.stdout): Prompter {
  const rl = createInterface({ input, terminal: false });
  const lines = rl[Symbol.asyncIterator]();
  return {
    async ask(question, options = {}) {
      output.write(question);
      if (options.secret && input.isTTY) return readHidden(input, output);
      const next = await lines.next();
      if (next.done) throw new Error('The terminal closed before an answer was given.');
      return next.value.trim();
    },
    close: () => rl.close(),
  };
}

function readHidden(input: NodeJS.ReadStream, output: NodeJS.WriteStream): Promise<string> {
  return new Promise((resolve, reject) => {
    let typed = '';
    input.setRawMode(true);
    input.resume();
    const onData = (chunk: Buffer) => {
      for (const char of chunk.toString('utf8')) {
        if (char === '\r' || char === '\n') return finish(() => resolve(typed.trim()));
        if (char === '\u0003') return finish(() => reject(new Error('Cancelled.')));
        if (char === '\u007f') typed = typed.slice(0, -1);
        else typed += char;
      }
    };
    const finish = (then: () => void) => {
      input.off('data', onData);
      input.setRawMode(false);
      input.pause();
      output.write('\n');
      then();
    };
    input.on('data', onData);
  });
}
