/**
 * A separate process for the multi-process tests: starts a host with the auth block from the
 * environment, signs in as the configured admin, fails two sign-ins from one shared address,
 * prints one `RESULT <json>` line and exits.
 */
import { loadConfig } from '../../../app/config.ts';
import { buildHost } from '../../../app/host.ts';
import { createLogger } from '../../../platform/logger.ts';
import authBlock from '../index.ts';

const app = await buildHost(loadConfig(process.env), createLogger('warn'), [authBlock]);
const login = (name: string, password: string, ip: string) =>
  app.http.inject({
    method: 'POST',
    url: '/api/auth/login',
    payload: { login: name, password },
    remoteAddress: ip,
  });
const ok = await login('admin', process.env.WSOPTV_ADMIN_PASSWORD!, `10.40.1.${process.pid % 250}`);
const failures: number[] = [];
for (let i = 0; i < 2; i++)
  failures.push((await login(`ghost-${process.pid}-${i}`, 'Wr0ng-pass!', '10.40.0.1')).statusCode);
process.stdout.write(
  `RESULT ${JSON.stringify({ status: ok.statusCode, token: ok.json().access_token, failures })}\n`,
);
await app.close();
