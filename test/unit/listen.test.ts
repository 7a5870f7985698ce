/**
 * The kit's servers never close an idle keep-alive connection themselves. Node's HTTP server
 * does after `keepAliveTimeout` (5 s by default); a client that reuses the socket at that moment
 * gets `ECONNRESET`, and on a loaded machine, where timers fire seconds late, that race failed CI
 * runs ("fetch failed … read ECONNRESET" during a login). Clients close idle sockets themselves,
 * which cannot race their own next request.
 */
import { connect, type Socket } from 'node:net';
import { listen } from '../support/listen';
import { sleep } from '../support/time-scale';

function exchange(socket: Socket, request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    if (socket.readyState !== 'open') {
      reject(new Error('the server closed the idle connection'));
      return;
    }
    let received = '';
    const onData = (chunk: Buffer) => {
      received += chunk.toString('latin1');
      if (received.endsWith('ok')) {
        socket.off('data', onData);
        resolve(received);
      }
    };
    socket.on('data', onData);
    socket.once('close', () =>
      reject(new Error(`the server closed the connection (got ${JSON.stringify(received)})`)),
    );
    socket.write(request);
  });
}

it('keeps an idle keep-alive connection open past Node’s default timeout of 5 s', async () => {
  const server = await listen((_req, res) => {
    res.end('ok');
  });
  const { port } = new URL(server.url);
  const socket = connect(Number(port), '127.0.0.1');
  socket.on('error', () => {});
  await new Promise<void>((resolve) => socket.once('connect', resolve));
  const request = 'GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\n\r\n';
  expect(await exchange(socket, request)).toMatch(/^HTTP\/1\.1 200/);
  await sleep(6_000);
  expect(await exchange(socket, request)).toMatch(/^HTTP\/1\.1 200/);
  socket.destroy();
}, 60_000);
