// A forward proxy on 127.0.0.1 that speaks only CONNECT (as HTTPS_PROXY is used for https),
// recording every tunnel asked for. Whatever host is asked for, the tunnel goes to 127.0.0.1 at
// the asked port: the simulator stands in for that host.

import { createServer } from 'node:http'
import { connect } from 'node:net'

/**
 * @param {{ credentials?: string, refuse?: number }} [options] credentials: "user:password"
 *   the proxy wants (407 without them); refuse: answer every CONNECT with this status.
 */
export async function startConnectProxy(options = {}) {
  /** @type {{ target: string, authorization: string | undefined, status: number }[]} */
  const tunnels = []
  /** Tunnelled sockets leave the HTTP server's books: closed by hand. */
  const sockets = new Set()
  const track = socket => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  }
  const server = createServer((_req, res) => {
    res.writeHead(405).end()
  })
  server.on('connect', (req, client, head) => {
    track(client)
    const authorization = req.headers['proxy-authorization']
    const record = { target: req.url ?? '', authorization, status: 200 }
    tunnels.push(record)
    const wanted = options.credentials
      ? `Basic ${Buffer.from(options.credentials).toString('base64')}`
      : undefined
    const refuse = (status, reason, extra = '') => {
      record.status = status
      client.end(`HTTP/1.1 ${status} ${reason}\r\n${extra}Content-Length: 0\r\n\r\n`)
    }
    if (options.refuse) return refuse(options.refuse, 'Forbidden')
    if (wanted && authorization !== wanted) {
      return refuse(
        407,
        'Proxy Authentication Required',
        'Proxy-Authenticate: Basic realm="test"\r\n'
      )
    }
    const port = Number(new URL(`http://${req.url}`).port || 443)
    const upstream = connect(port, '127.0.0.1', () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n')
      if (head.length) upstream.write(head)
      upstream.pipe(client)
      client.pipe(upstream)
    })
    track(upstream)
    upstream.on('error', () => client.destroy())
    client.on('error', () => upstream.destroy())
  })
  await new Promise(resolve => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  const port = typeof address === 'object' && address ? address.port : 0
  return {
    port,
    tunnels,
    async close() {
      server.closeAllConnections()
      for (const socket of sockets) socket.destroy()
      await new Promise(resolve => server.close(() => resolve(undefined)))
    }
  }
}
