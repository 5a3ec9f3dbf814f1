/**
 * Logins in steady state: the helper runs for 10 minutes while 200 messages arrive (one every
 * 3 s) and must log in exactly once, counted at the proxy (TCP connections) and in its login log.
 */
import { buildMessage } from '../test/harness/messages';
import { sleep, type Bench } from './bench';
import { accountIdle, startBenchHelper, startMailWorld } from './world';

export const loginsBench: Bench = {
  name: 'logins',
  title: 'Logins in a steady state with arriving mail',
  together: true,
  async run({ quick, log }) {
    const [minutes, messages] = quick ? [1, 20] : [10, 200];
    const world = await startMailWorld();
    const helper = await startBenchHelper(world, { via: 'proxy', name: 'logins' });
    try {
      const client = await helper.client();
      await accountIdle(client);
      const started = performance.now();
      let delivered = 0;
      for (let i = 0; i < messages; i++) {
        await sleep(started + ((i + 1) * minutes * 60_000) / messages - performance.now());
        const { uid } = await world.append(buildMessage({ subject: `Steady ${i}`, text: `message ${i}` }));
        await client.waitFor((m) => m.type === 'delta' && m.notify.some((k) => k.uid === uid), 30_000, `the delta of UID ${uid}`);
        delivered++;
      }
      const logins = await helper.logins();
      const connections = world.proxy.connectionsTotal;
      log(`${delivered}/${messages} messages delivered in ${((performance.now() - started) / 60_000).toFixed(1)} min; login log: ${JSON.stringify(logins)}`);
      return [{
        measure: `logins over ${minutes} min with ${messages} arriving messages (${delivered} delivered)`,
        figure: `${connections} TCP connection(s) at the proxy, ${logins.length} login(s) in the login log`,
        target: 'exactly 1 login',
        met: connections === 1 && logins.length === 1 && logins[0].outcome === 'success' && delivered === messages,
      }];
    } finally {
      await helper.stop();
      await world.close();
    }
  },
};
