#!/usr/bin/env node
// Manages the token signing key set of a deployment: the SSM SecureString `keys_parameter`
// ({"activeKid","keys"}, the same shape as local mode's keys.json). Its value never passes through
// Terraform (state would hold it); ingest and search read it through Powertools Parameters
// (cached 5 minutes, so a rotation reaches every function within 5 minutes).
//
//   node terraform/scripts/token-keys.mjs init   --parameter /oplake/token-keys   create the first key set
//   node terraform/scripts/token-keys.mjs rotate --parameter P                  add a key, make it active
//   node terraform/scripts/token-keys.mjs retire --parameter P --kid KID        drop an old key
//   node terraform/scripts/token-keys.mjs pull   --parameter P --dir DIR        write DIR/keys.json (0600)
//   node terraform/scripts/token-keys.mjs show   --parameter P                  kids only, never secrets
//
// Then `npx oplake token --data-dir DIR --tenant T --scope ingest` signs with the deployed key set.
// Credentials and region: the usual AWS SDK chain (AWS_PROFILE, AWS_REGION, ...).
import { randomBytes } from 'node:crypto';
import { mkdir, open, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  DescribeParametersCommand,
  GetParameterCommand,
  PutParameterCommand,
  SSMClient,
} from '@aws-sdk/client-ssm';

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: { parameter: { type: 'string' }, kid: { type: 'string' }, dir: { type: 'string' } },
});
const [command] = positionals;
if (!command || !values.parameter) {
  console.error(
    'usage: token-keys.mjs init|rotate|retire|pull|show --parameter NAME [--kid KID] [--dir DIR]',
  );
  process.exit(2);
}
const ssm = new SSMClient({});
const name = values.parameter;

const newKid = () =>
  `k${new Date().toISOString().slice(0, 10).replaceAll('-', '')}-${randomBytes(3).toString('hex')}`;
const newSecret = () => randomBytes(32).toString('base64url');

async function load() {
  const { Parameter } = await ssm.send(new GetParameterCommand({ Name: name, WithDecryption: true }));
  const value = JSON.parse(Parameter?.Value ?? '{}');
  if (typeof value.activeKid !== 'string' || typeof value.keys !== 'object' || value.keys === null) {
    throw new Error(`${name} is not a key set ({"activeKid","keys"})`);
  }
  return value;
}

async function save(keySet) {
  // Overwriting a SecureString without KeyId would switch it to aws/ssm: keep the deployment key.
  const { Parameters = [] } = await ssm.send(
    new DescribeParametersCommand({ ParameterFilters: [{ Key: 'Name', Values: [name] }] }),
  );
  const keyId = Parameters[0]?.KeyId;
  await ssm.send(
    new PutParameterCommand({
      Name: name,
      Type: 'SecureString',
      KeyId: keyId,
      Overwrite: true,
      Value: JSON.stringify(keySet),
    }),
  );
}

const current = await load();
const initialised = current.activeKid !== 'unset' && Object.keys(current.keys).length > 0;

switch (command) {
  case 'init': {
    if (initialised)
      throw new Error(`${name} already holds a key set (active ${current.activeKid}); use rotate`);
    const kid = newKid();
    await save({ activeKid: kid, keys: { [kid]: newSecret() } });
    console.log(`created key set in ${name}, active kid ${kid}`);
    break;
  }
  case 'rotate': {
    if (!initialised) throw new Error(`${name} holds no key set yet; run init`);
    const kid = newKid();
    await save({ activeKid: kid, keys: { ...current.keys, [kid]: newSecret() } });
    console.log(`active kid ${kid}; older kids still verify: ${Object.keys(current.keys).join(', ')}`);
    break;
  }
  case 'retire': {
    if (!values.kid) throw new Error('retire needs --kid');
    if (values.kid === current.activeKid) throw new Error('cannot retire the active kid; rotate first');
    if (!(values.kid in current.keys)) throw new Error(`no kid ${values.kid} in ${name}`);
    const keys = { ...current.keys };
    delete keys[values.kid];
    await save({ activeKid: current.activeKid, keys });
    console.log(`retired ${values.kid}; tokens signed with it are now rejected`);
    break;
  }
  case 'pull': {
    if (!initialised) throw new Error(`${name} holds no key set yet; run init`);
    const dir = values.dir ?? '.oplake/deploy-keys';
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const file = join(dir, 'keys.json');
    const handle = await open(`${file}.tmp`, 'w', 0o600);
    await handle.writeFile(`${JSON.stringify(current, null, 2)}\n`);
    await handle.close();
    await rename(`${file}.tmp`, file);
    console.log(
      `wrote ${file}; sign with: npx oplake token --data-dir ${dir} --tenant TENANT --scope ingest`,
    );
    break;
  }
  case 'show':
    console.log(JSON.stringify({ activeKid: current.activeKid, kids: Object.keys(current.keys) }));
    break;
  default:
    throw new Error(`unknown command ${command}`);
}
