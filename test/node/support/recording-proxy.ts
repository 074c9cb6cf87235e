import { createServer, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request a client sent through the proxy, and the status the gateway answered it with. */
export interface ProxiedExchange {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
  status: number;
}

/**
 * A plain HTTP proxy in front of the gateway that keeps every request a client sends (headers and body as
 * sent) and the status it got, for clients (CLIs) whose requests a test cannot see otherwise. Answers,
 * streams included, pass through untouched as they arrive.
 */
export async function startRecordingProxy(target: string) {
  const exchanges: ProxiedExchange[] = [];
  const upstream = new URL(target);
  const server = createServer((incoming, outgoing) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', () => {
      const body = Buffer.concat(chunks);
      const exchange: ProxiedExchange = {
        method: incoming.method ?? 'GET',
        url: incoming.url ?? '/',
        headers: incoming.headers,
        body: body.toString('utf8'),
        status: 0,
      };
      exchanges.push(exchange);
      const forwarded = httpRequest(
        {
          hostname: upstream.hostname,
          port: upstream.port,
          method: exchange.method,
          path: exchange.url,
          headers: { ...incoming.headers, host: upstream.host },
        },
        (answer) => {
          exchange.status = answer.statusCode ?? 0;
          outgoing.writeHead(exchange.status, answer.headers);
          answer.pipe(outgoing);
        },
      );
      forwarded.on('error', () => outgoing.destroy());
      outgoing.on('close', () => forwarded.destroy());
      forwarded.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    exchanges,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
