'use strict';
// Starts s3rver 3.7 for the S3 tests through its own API, filling the gaps that matter to them:
// - accounts: s3rver only knows S3RVER/S3RVER; more are registered with its AWSAccount model.
// - buckets: created through its configureBuckets option, which (unlike PUT Bucket) accepts legacy names
//   with underscores such as the reference example's my_bucket.
// - SigV4: s3rver checks only that the access key exists, never the signature, so a wrong secret would pass.
//   The signature is verified here as S3 does (header auth only, which is what the SDK sends).
// - AbortMultipartUpload and ListMultipartUploads, which s3rver answers with MethodNotAllowed/NotImplemented.
// - deniedBuckets: answer AccessDenied, as a bucket policy would.
// Usage: node s3rver-launcher.js '{"directory":"...","accounts":{"KEY":"SECRET"},"buckets":[],"deniedBuckets":[]}'
// Prints "S3 test server listening on http://127.0.0.1:<port>" when ready.

const crypto = require('crypto');
const fs = require('fs');
const S3rver = require('s3rver');
const AWSAccount = require('s3rver/lib/models/account');
const S3Error = require('s3rver/lib/models/error');

const config = JSON.parse(process.argv[2]);
let accountId = 100000000000;
for (const [accessKeyId, secret] of Object.entries(config.accounts || {})) {
  new AWSAccount(accountId++, accessKeyId).createKeyPair(accessKeyId, secret);
}

const server = new S3rver({
  directory: config.directory,
  address: '127.0.0.1',
  port: 0,
  vhostBuckets: false,
  configureBuckets: (config.buckets || []).map(name => ({ name, configs: [] })),
});

const hmac = (key, data) => crypto.createHmac('sha256', key).update(data, 'utf8').digest();
const sha256 = data => crypto.createHash('sha256').update(data, 'utf8').digest('hex');
const encode = value =>
  encodeURIComponent(value).replace(/[!'()*]/g, c => '%' + c.charCodeAt(0).toString(16).toUpperCase());

function verifySignatureV4(req) {
  const authorization = req.headers.authorization || '';
  if (!authorization.startsWith('AWS4-HMAC-SHA256 ')) return;
  const fields = {};
  for (const part of authorization.slice('AWS4-HMAC-SHA256 '.length).split(',')) {
    const [name, ...value] = part.trim().split('=');
    fields[name] = value.join('=');
  }
  const [accessKeyId, ...scope] = (fields.Credential || '').split('/');
  const account = AWSAccount.registry.get(accessKeyId);
  if (!account) {
    throw new S3Error('InvalidAccessKeyId', 'The AWS Access Key Id you provided does not exist in our records.');
  }
  const [date, region, service] = scope;
  const queryAt = req.url.indexOf('?');
  const rawPath = queryAt < 0 ? req.url : req.url.slice(0, queryAt);
  const rawQuery = queryAt < 0 ? '' : req.url.slice(queryAt + 1);
  const query = rawQuery
    .split('&')
    .filter(Boolean)
    .map(pair => {
      const [name, value = ''] = pair.split('=');
      return [encode(decodeURIComponent(name)), encode(decodeURIComponent(value))];
    })
    .sort(([a, av], [b, bv]) => (a < b ? -1 : a > b ? 1 : av < bv ? -1 : av > bv ? 1 : 0))
    .map(([name, value]) => `${name}=${value}`)
    .join('&');
  const headers = fields.SignedHeaders.split(';')
    .map(name => `${name}:${String(req.headers[name] ?? '').trim().replace(/\s+/g, ' ')}\n`)
    .join('');
  const canonicalRequest = [
    req.method, rawPath, query, headers, fields.SignedHeaders, req.headers['x-amz-content-sha256'],
  ].join('\n');
  const stringToSign = [
    'AWS4-HMAC-SHA256', req.headers['x-amz-date'], scope.join('/'), sha256(canonicalRequest),
  ].join('\n');
  let key = 'AWS4' + account.accessKeys.get(accessKeyId);
  for (const part of [date, region, service, 'aws4_request']) key = hmac(key, part);
  if (hmac(key, stringToSign).toString('hex') !== fields.Signature) {
    throw new S3Error(
      'SignatureDoesNotMatch',
      'The request signature we calculated does not match the signature you provided. Check your key and signing method.',
    );
  }
}

function drain(req) {
  return req.complete ? Promise.resolve() : new Promise(resolve => req.on('end', resolve).on('error', resolve).resume());
}

server.middleware.unshift(async (ctx, next) => {
  try {
    verifySignatureV4(ctx.req);
    const [, bucket] = ctx.path.split('/');
    if (bucket && (config.deniedBuckets || []).includes(bucket)) {
      throw new S3Error('AccessDenied', 'Access Denied');
    }
    const uploadsDir = bucket && server.store.getResourcePath(bucket, undefined, 'uploads');
    if (ctx.method === 'DELETE' && 'uploadId' in ctx.query) {
      const dir = `${uploadsDir}/${ctx.query.uploadId.replace(/[^0-9a-f]/g, '')}`;
      if (!fs.existsSync(dir)) {
        throw new S3Error('NoSuchUpload', 'The specified upload does not exist.');
      }
      fs.rmSync(dir, { recursive: true, force: true });
      ctx.status = 204;
      return;
    }
    if (ctx.method === 'GET' && 'uploads' in ctx.query && ctx.path.split('/').filter(Boolean).length === 1) {
      const ids = fs.existsSync(uploadsDir) ? fs.readdirSync(uploadsDir) : [];
      const uploads = ids
        .filter(id => fs.existsSync(`${uploadsDir}/${id}/key`))
        .map(id => `<Upload><Key>${fs.readFileSync(`${uploadsDir}/${id}/key`, 'utf8')}</Key><UploadId>${id}</UploadId></Upload>`);
      ctx.type = 'application/xml';
      ctx.body =
        '<?xml version="1.0" encoding="UTF-8"?>\n' +
        `<ListMultipartUploadsResult><Bucket>${bucket}</Bucket><IsTruncated>false</IsTruncated>${uploads.join('')}</ListMultipartUploadsResult>`;
      return;
    }
    await next();
  } catch (err) {
    // An early error answer while the client still sends a part would reach it as a connection reset.
    await drain(ctx.req);
    throw err;
  }
});

// One test server serves every S3 test of a run. A client that resets a connection mid-request (the stall and cut
// tests do, on purpose) must not end it for the others: log what escaped s3rver's handlers, and keep serving.
process.on('uncaughtException', err => console.error('uncaught exception (still serving):', err));
process.on('unhandledRejection', err => console.error('unhandled rejection (still serving):', err));

server.run().then(
  ({ address, port }) => console.log(`S3 test server listening on http://${address}:${port}`),
  err => {
    console.error(err);
    process.exit(1);
  },
);
