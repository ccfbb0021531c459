// A real OpenID provider (npm `oidc-provider`) for certcopy's end-to-end login tests,
// modelled on the national electronic identity: ID tokens carry `citizen_id` and an
// assurance level (`acr`).
//
// Started by the Rust tests on a loopback port:
//   PORT=… CLIENT_REDIRECT_URI=… node provider.mjs
// Prints `ready <issuer>` on stdout once it listens. A fresh signing key is made at
// every start, so starting it again on the same port is a key rotation.
//
// Environment:
//   PORT                 loopback port to listen on (required)
//   CLIENT_REDIRECT_URI  the relying party's callback URL (required)
//   TOKEN_MODE           what the token endpoint does to the ID token it returns:
//                        `honest` (default), `tampered` (payload changed after signing),
//                        `foreign_key` (re-signed with a key not in the key set),
//                        `wrong_nonce` / `wrong_audience` (re-signed with the real key)
//
// Login form: GET /interaction/:uid shows it; POST /interaction/:uid/login with
// `login=<account>` finishes the login. Consent is implied for the test client.
// GET /__test/stats answers how often the key set was fetched;
// GET /__test/token-mode?mode=… changes TOKEN_MODE.

import http from 'node:http';
import { generateKeyPairSync, randomUUID } from 'node:crypto';

import Provider from 'oidc-provider';
import * as jose from 'jose';

const port = Number(process.env.PORT);
const redirectUri = process.env.CLIENT_REDIRECT_URI;
let tokenMode = process.env.TOKEN_MODE || 'honest';
if (!port || !redirectUri) {
  console.error('PORT and CLIENT_REDIRECT_URI are required');
  process.exit(2);
}
const issuer = `http://127.0.0.1:${port}`;

export const CLIENT_ID = 'certcopy';
export const CLIENT_SECRET = 'certcopy-test-secret-0123456789abcdef';
export const LEVEL_HIGH = 'urn:vn:eid:level2';
export const LEVEL_LOW = 'urn:vn:eid:level1';

// The test accounts. `name` of `an` is sent decomposed (NFD), as some systems store it.
const accounts = {
  an: { name: 'Nguyễn Văn An'.normalize('NFD'), citizen_id: '079203001234', acr: LEVEL_HIGH },
  binh: { name: 'Trần Thị Bình', citizen_id: '001190005678', acr: LEVEL_LOW },
  chi: { name: 'Lê Minh Chi', acr: LEVEL_HIGH },
  dung: { name: 'Phạm Dũng', citizen_id: '12345', acr: LEVEL_HIGH },
};

// ES256 (P-256) keys: made in a millisecond, where RSA keys take seconds on a busy machine.
function signingKey(kid) {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return { ...privateKey.export({ format: 'jwk' }), kid, alg: 'ES256', use: 'sig' };
}

const providerKey = signingKey(`key-${randomUUID()}`);
const foreignKey = signingKey(`foreign-${randomUUID()}`);

const provider = new Provider(issuer, {
  clients: [{
    client_id: CLIENT_ID,
    client_secret: CLIENT_SECRET,
    redirect_uris: [redirectUri],
    response_types: ['code'],
    grant_types: ['authorization_code'],
    token_endpoint_auth_method: 'client_secret_basic',
    id_token_signed_response_alg: 'ES256',
  }],
  jwks: { keys: [providerKey] },
  cookies: { keys: [randomUUID()] },
  claims: {
    openid: ['sub'],
    profile: ['name'],
    citizen: ['citizen_id'],
  },
  acrValues: [LEVEL_LOW, LEVEL_HIGH],
  // The relying party reads the citizen ID from the ID token itself.
  conformIdTokenClaims: false,
  pkce: { required: () => true },
  features: { devInteractions: { enabled: false } },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  async findAccount(ctx, id) {
    const account = accounts[id];
    if (!account) return undefined;
    return {
      accountId: id,
      async claims() {
        const claims = { sub: id, name: account.name };
        if (account.citizen_id !== undefined) claims.citizen_id = account.citizen_id;
        return claims;
      },
    };
  },
  // Consent is implied for the test client: every requested scope and claim is granted.
  async loadExistingGrant(ctx) {
    const grant = new ctx.oidc.provider.Grant({
      clientId: ctx.oidc.client.clientId,
      accountId: ctx.oidc.session.accountId,
    });
    grant.addOIDCScope(ctx.oidc.requestParamScopes ? [...ctx.oidc.requestParamScopes].join(' ') : 'openid');
    grant.addOIDCClaims(['sub', 'name', 'citizen_id', 'acr']);
    await grant.save();
    return grant;
  },
  renderError(ctx, out) {
    ctx.type = 'json';
    ctx.body = out;
  },
});

async function resign(payload, key) {
  const privateKey = await jose.importJWK(key, 'ES256');
  return new jose.SignJWT(payload)
    .setProtectedHeader({ alg: 'ES256', kid: key.kid })
    .sign(privateKey);
}

async function alter(idToken) {
  const [header, payload, signature] = idToken.split('.');
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  switch (tokenMode) {
    case 'tampered': {
      claims.citizen_id = '079203009999';
      const changed = Buffer.from(JSON.stringify(claims)).toString('base64url');
      return `${header}.${changed}.${signature}`;
    }
    case 'foreign_key':
      return resign(claims, foreignKey);
    case 'wrong_nonce':
      return resign({ ...claims, nonce: 'not-the-nonce-of-this-login' }, providerKey);
    case 'wrong_audience':
      return resign({ ...claims, aud: 'another-relying-party' }, providerKey);
    default:
      return idToken;
  }
}

provider.use(async (ctx, next) => {
  await next();
  if (ctx.path === '/token' && ctx.body && ctx.body.id_token && tokenMode !== 'honest') {
    ctx.body = { ...ctx.body, id_token: await alter(ctx.body.id_token) };
  }
});

const stats = { jwks: 0 };
const providerCallback = provider.callback();

function readForm(req) {
  return new Promise((resolve, reject) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk) => { body += chunk; if (body.length > 10_000) req.destroy(); });
    req.on('end', () => resolve(new URLSearchParams(body)));
    req.on('error', reject);
  });
}

async function interaction(req, res, uid, action) {
  const details = await provider.interactionDetails(req, res);
  if (details.uid !== uid) {
    res.writeHead(400).end('interaction mismatch');
    return;
  }
  if (req.method === 'GET') {
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
    res.end(`<!doctype html><form method="post" action="/interaction/${uid}/login">
<input name="login"><button>Đăng nhập</button></form>`);
    return;
  }
  if (action !== 'login') {
    res.writeHead(404).end();
    return;
  }
  const form = await readForm(req);
  const accountId = form.get('login');
  const account = accounts[accountId];
  if (!account) {
    res.writeHead(401).end('unknown account');
    return;
  }
  await provider.interactionFinished(req, res, {
    login: { accountId, acr: account.acr, amr: ['pwd'] },
  }, { mergeWithLastSubmission: false });
}

const server = http.createServer(async (req, res) => {
  try {
    const url = new URL(req.url, issuer);
    if (url.pathname === '/__test/token-mode') {
      tokenMode = url.searchParams.get('mode') || 'honest';
      res.writeHead(204).end();
      return;
    }
    if (url.pathname === '/__test/stats') {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(stats));
      return;
    }
    const match = url.pathname.match(/^\/interaction\/([\w-]+)(?:\/(\w+))?$/);
    if (match) {
      await interaction(req, res, match[1], match[2]);
      return;
    }
    if (url.pathname === '/jwks') stats.jwks += 1;
    providerCallback(req, res);
  } catch (error) {
    console.error(error);
    if (!res.headersSent) res.writeHead(500);
    res.end(String(error));
  }
});

server.listen(port, '127.0.0.1', () => {
  console.log(`ready ${issuer}`);
});

for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => server.close(() => process.exit(0)));
}
