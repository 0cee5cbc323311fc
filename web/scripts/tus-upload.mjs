// Uploads one file to Intervu's media service with tus-js-client, exactly as the web app will.
// Used by the media service's tests to prove protocol compatibility with the real client library.
// usage: node scripts/tus-upload.mjs <endpoint> <access-token> <file> [answer-id]
import fs from "node:fs";
import path from "node:path";
import { Upload } from "tus-js-client";

const [, , endpoint, token, file, answerId] = process.argv;
const data = fs.readFileSync(file);
const metadata = { filename: path.basename(file), filetype: "video/webm" };
if (answerId) metadata.answer_id = answerId;

const upload = new Upload(data, {
  endpoint,
  headers: { Authorization: `Bearer ${token}` },
  metadata,
  chunkSize: 1024 * 1024,
  retryDelays: [0, 500, 1000],
  onProgress: (sent, total) => process.stderr.write(`\r${Math.round((sent / total) * 100)}%`),
  onError: (error) => {
    console.error(`\nupload failed: ${error}`);
    process.exit(1);
  },
  onSuccess: () => {
    console.log(upload.url);
  },
});
upload.start();
