// The SDK driver for the AWS SDK for JavaScript v3 (@aws-sdk/client-s3, @aws-sdk/lib-storage) on the S3 wire,
// in its default configuration (retries, checksums and signing as the SDK does them).
//
// `node tools/sdk-drivers/aws-sdk-js/driver.mjs` (after `npm ci` in this folder): one JSON scenario on stdin
// (see conformance/sdk/protocol.py), one JSON result line on stdout. A multipart upload is lib-storage's
// Upload (what users call) with the scenario's part size; a resume uses ListParts, UploadPart and
// CompleteMultipartUpload; a download is GetObject streamed to the destination file; the list steps are
// ListPartsCommand paged by MaxParts / PartNumberMarker and ListMultipartUploadsCommand with Prefix and
// MaxUploads, paged by KeyMarker / UploadIdMarker (what they saw is the result's "listed"). The object steps:
// PutObjectCommand (ContentType, ContentMD5 computed by the caller, Metadata), HeadObjectCommand (the result's
// "head"), GetObjectCommand with Range, ListObjectsCommand paged by Marker, @aws-sdk/s3-request-presigner's
// getSignedUrl for GetObject / PutObject fetched with Node's plain fetch, DeleteObjectCommand and
// AbortMultipartUploadCommand.
import { createHash } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { open, readFile, writeFile } from "node:fs/promises";
import { pipeline } from "node:stream/promises";
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectsCommand,
  ListPartsCommand,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
} from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";

async function readStdin() {
  const chunks = [];
  for await (const chunk of process.stdin) chunks.push(chunk);
  return Buffer.concat(chunks).toString("utf-8");
}

function client(scenario) {
  return new S3Client({
    endpoint: scenario.endpoint,
    region: scenario.region,
    forcePathStyle: true,
    credentials: {
      accessKeyId: scenario.credentials.access_key,
      secretAccessKey: scenario.credentials.secret_key,
    },
  });
}

async function multipartUpload(s3, bucket, key, step) {
  const params = { Bucket: bucket, Key: key, Body: createReadStream(step.source) };
  if (step.storage_class) params.StorageClass = step.storage_class;
  if (step.encryption) params.ServerSideEncryption = "AES256";
  await new Upload({ client: s3, params, partSize: step.part_size }).done();
}

async function listAllParts(s3, bucket, key, uploadId, maxParts) {
  const parts = new Map();
  let marker;
  for (;;) {
    const page = await s3.send(new ListPartsCommand({
      Bucket: bucket, Key: key, UploadId: uploadId, PartNumberMarker: marker, MaxParts: maxParts,
    }));
    for (const part of page.Parts ?? []) parts.set(part.PartNumber, part.ETag);
    if (!page.IsTruncated) return parts;
    marker = page.NextPartNumberMarker;
  }
}

async function resumeUpload(s3, bucket, key, step) {
  const uploadId = step.upload_id;
  const parts = await listAllParts(s3, bucket, key, uploadId);
  const file = await open(step.source, "r");
  try {
    const count = Math.ceil(step.size / step.part_size);
    for (let number = 1; number <= count; number += 1) {
      if (parts.has(number)) continue;
      const length = Math.min(step.part_size, step.size - (number - 1) * step.part_size);
      const body = Buffer.alloc(length);
      await file.read(body, 0, length, (number - 1) * step.part_size);
      const answer = await s3.send(new UploadPartCommand({
        Bucket: bucket, Key: key, UploadId: uploadId, PartNumber: number, Body: body,
      }));
      parts.set(number, answer.ETag);
    }
  } finally {
    await file.close();
  }
  const listed = [...parts.entries()].sort((a, b) => a[0] - b[0]).map(([n, etag]) => ({ PartNumber: n, ETag: etag }));
  await s3.send(new CompleteMultipartUploadCommand({
    Bucket: bucket, Key: key, UploadId: uploadId, MultipartUpload: { Parts: listed },
  }));
}

async function listParts(s3, bucket, key, step, listed) {
  const parts = await listAllParts(s3, bucket, key, step.upload_id, step.max_parts);
  listed.parts = [...parts.keys()];
}

async function listUploads(s3, bucket, key, step, listed) {
  const uploads = [];
  let keyMarker;
  let uploadIdMarker;
  for (;;) {
    const page = await s3.send(new ListMultipartUploadsCommand({
      Bucket: bucket, Prefix: step.prefix, MaxUploads: step.max_uploads, KeyMarker: keyMarker,
      UploadIdMarker: uploadIdMarker,
    }));
    for (const upload of page.Uploads ?? []) uploads.push({ key: upload.Key, upload_id: upload.UploadId });
    if (!page.IsTruncated) break;
    keyMarker = page.NextKeyMarker;
    uploadIdMarker = page.NextUploadIdMarker;
  }
  listed.uploads = uploads;
}

async function download(s3, bucket, key, step) {
  const answer = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  await pipeline(answer.Body, createWriteStream(step.destination));
}

async function contentMd5(path) {
  const digest = createHash("md5");
  await pipeline(createReadStream(path), digest);
  return digest.digest("base64");
}

async function putObject(s3, bucket, key, step) {
  const params = { Bucket: bucket, Key: key, Body: createReadStream(step.source), ContentLength: step.size };
  if (step.content_type) params.ContentType = step.content_type;
  if (step.content_md5) params.ContentMD5 = await contentMd5(step.source);
  if (step.metadata && Object.keys(step.metadata).length) params.Metadata = step.metadata;
  await s3.send(new PutObjectCommand(params));
}

async function head(s3, bucket, key, step, listed, observed) {
  const answer = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
  observed.head = {
    size: answer.ContentLength, etag: answer.ETag, content_type: answer.ContentType, metadata: answer.Metadata ?? {},
  };
}

async function getRange(s3, bucket, key, step) {
  const answer = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key, Range: `bytes=${step.start}-${step.end}` }));
  await pipeline(answer.Body, createWriteStream(step.destination));
}

async function listObjects(s3, bucket, key, step, listed) {
  // With the step's delimiter: Delimiter= on every page, the CommonPrefixes reported as object_prefixes.
  const keys = [];
  const prefixes = [];
  let marker;
  for (;;) {
    const page = await s3.send(new ListObjectsCommand({
      Bucket: bucket, Prefix: step.prefix, MaxKeys: step.max_keys, Marker: marker,
      ...(step.delimiter ? { Delimiter: step.delimiter } : {}),
    }));
    const contents = page.Contents ?? [];
    const common = (page.CommonPrefixes ?? []).map((item) => item.Prefix);
    for (const item of contents) keys.push(item.Key);
    prefixes.push(...common);
    const names = [...contents.map((item) => item.Key), ...common].sort();
    if (!page.IsTruncated || !names.length) break;
    marker = page.NextMarker ?? names[names.length - 1];
  }
  listed.objects = keys;
  if (step.delimiter) listed.object_prefixes = prefixes;
}

async function checked(response, what) {
  if (response.status >= 300) throw new Error(`${what} answered ${response.status}`);
  return response;
}

async function presignGet(s3, bucket, key, step) {
  const url = await getSignedUrl(s3, new GetObjectCommand({ Bucket: bucket, Key: key }), { expiresIn: step.expires });
  const response = await checked(await fetch(url), "presigned GET");
  await writeFile(step.destination, Buffer.from(await response.arrayBuffer()));
}

async function presignPut(s3, bucket, key, step) {
  const url = await getSignedUrl(s3, new PutObjectCommand({ Bucket: bucket, Key: key }), { expiresIn: step.expires });
  const response = await checked(await fetch(url, { method: "PUT", body: await readFile(step.source) }), "presigned PUT");
  await response.arrayBuffer();
}

async function deleteObject(s3, bucket, key) {
  await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
}

async function abortUpload(s3, bucket, key, step) {
  await s3.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: step.upload_id }));
}

const STEPS = {
  "multipart-upload": multipartUpload, "resume-upload": resumeUpload, download,
  "list-parts": listParts, "list-uploads": listUploads, "put-object": putObject, head,
  "get-range": getRange, "list-objects": listObjects, "presign-get": presignGet, "presign-put": presignPut,
  delete: deleteObject, "abort-upload": abortUpload,
};

async function main() {
  let scenario;
  try {
    scenario = JSON.parse(await readStdin());
  } catch (error) {
    console.log(JSON.stringify({ status: "failed", message: `unreadable scenario: ${error}` }));
    return 2;
  }
  const s3 = client(scenario);
  const listed = {};
  const observed = {};
  try {
    for (const step of scenario.steps) {
      await STEPS[step.op](s3, scenario.bucket, step.key ?? scenario.key, step, listed, observed);
    }
  } catch (error) {
    const name = error?.name ?? "Error";
    console.log(JSON.stringify({ status: "failed", message: `${name}: ${error?.message ?? error}`.slice(0, 2000) }));
    return 0;
  } finally {
    s3.destroy();
  }
  console.log(JSON.stringify({ status: "ok", listed, ...observed }));
  return 0;
}

process.exitCode = await main();
