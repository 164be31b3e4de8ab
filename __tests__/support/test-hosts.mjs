// Loaded with `node --import` into the spawned bundle by the network tests: names under .test
// (buddy.test, other.test) resolve to 127.0.0.1, and every other name fails as unknown, so that
// no test can ever send a DNS query or reach an address but 127.0.0.1.
import dns from 'node:dns'
import net from 'node:net'

const original = dns.lookup
dns.lookup = function lookup(hostname, options, callback) {
  const done = typeof options === 'function' ? options : callback
  const opts = typeof options === 'object' && options !== null ? options : {}
  if (net.isIP(hostname)) return original.call(dns, hostname, options, callback)
  if (!/\.test$/i.test(hostname) && hostname !== 'localhost') {
    const error = Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), {
      code: 'ENOTFOUND',
      hostname
    })
    return process.nextTick(done, error)
  }
  if (opts.all) return process.nextTick(done, null, [{ address: '127.0.0.1', family: 4 }])
  return process.nextTick(done, null, '127.0.0.1', 4)
}
