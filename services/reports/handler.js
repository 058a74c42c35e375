// Reports function: answers only IAM-authenticated calls (the platform checks X-Auth-Token).
module.exports.handle = async (event, context) => ({
  statusCode: 200,
  headers: { "Content-Type": "application/json" },
  body: JSON.stringify({ service: "reports", storage: Boolean(process.env.S3_SECRET_KEY) }),
});
