using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace SgNarrower.TestEc2;

/// <summary>
/// Serves <see cref="Ec2Service"/> on 127.0.0.1 over the EC2 Query protocol: form-encoded POSTs in, XML out,
/// errors in EC2's &lt;Response&gt;&lt;Errors&gt; shape. Requests must carry a SigV4 Authorization header; its
/// credential scope names the region. Paths under /_control/ let tests set the world, inject faults and read calls.
/// </summary>
public sealed class Ec2TestServer : IDisposable
{
    private readonly WebApplication _app;

    public Ec2TestServer(int port = 0)
    {
        Port = port == 0 ? FreePort() : port;
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, Port));
        Sts = new StsService(Service);
        _app = builder.Build();
        _app.Run(Serve);
    }

    public int Port { get; }
    public string Url => $"http://127.0.0.1:{Port}/";
    public Ec2Service Service { get; } = new();
    public StsService Sts { get; }

    public Ec2TestServer Start()
    {
        _app.StartAsync().GetAwaiter().GetResult();
        return this;
    }

    public void Dispose()
    {
        _app.StopAsync().GetAwaiter().GetResult();
        ((IDisposable)_app).Dispose();
    }

    private static int FreePort()
    {
        var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        int port = ((IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        return port;
    }

    private static readonly Regex Scope = new(@"Credential=([^/]+)/\d{8}/([^/]+)/([^/]+)/aws4_request", RegexOptions.Compiled);

    private async Task Serve(HttpContext ctx)
    {
        int status = 200;
        bool isSts = false;
        string body, contentType = "text/xml;charset=UTF-8";
        string text;
        using (var reader = new StreamReader(ctx.Request.Body, Encoding.UTF8)) text = await reader.ReadToEndAsync();
        try
        {
            var path = ctx.Request.Path.Value ?? "/";
            if (path.StartsWith("/_control/", StringComparison.Ordinal))
            {
                contentType = "application/json";
                body = Control(ctx.Request.Method, path, text);
            }
            else if (path == "/container-credentials" || path.StartsWith("/latest/", StringComparison.Ordinal))
            {
                // A container's and an instance's credential endpoints (reached through AWS_CONTAINER_CREDENTIALS_FULL_URI
                // and AWS_EC2_METADATA_SERVICE_ENDPOINT), handing out keys of the caller's own account.
                contentType = path.EndsWith("/instance-role", StringComparison.Ordinal) || path == "/container-credentials" ? "application/json" : "text/plain";
                body = Sts.Metadata(ctx.Request.Method, path, ctx.Request.Headers.Authorization.ToString(), ctx.Request.Headers["X-aws-ec2-metadata-token"].ToString());
            }
            else if (path == "/federation/credentials")
            {
                // IAM Identity Center's portal: unsigned, the bearer token from the SSO cache says who is asking.
                contentType = "application/json";
                body = Sts.SsoRoleCredentials(ctx.Request.Headers["x-amz-sso_bearer_token"].ToString(), ctx.Request.Query["account_id"], ctx.Request.Query["role_name"]);
            }
            else if (ParseForm(text).GetValueOrDefault("Action") == "AssumeRoleWithWebIdentity")
            {
                // Unsigned by design: the web identity token is the credential.
                isSts = true;
                body = Sts.Handle(null, ParseForm(text));
            }
            else
            {
                var auth = ctx.Request.Headers.Authorization.ToString();
                var m = Scope.Match(auth);
                if (!auth.StartsWith("AWS4-HMAC-SHA256", StringComparison.Ordinal) || !m.Success)
                    throw new Ec2Error(401, "AuthFailure", "AWS was not able to validate the provided access credentials");
                var (accessKey, region, service) = (m.Groups[1].Value, m.Groups[2].Value, m.Groups[3].Value);
                if (service == "sts")
                {
                    isSts = true;
                    body = Sts.Handle(accessKey, ParseForm(text));
                }
                else if (service == "s3")
                {
                    // A stand-in S3 for what s3rver cannot show: injected faults (AccessDenied, 500s), and the
                    // headers a write carries. The real store in the tests is s3rver.
                    var headers = ctx.Request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString());
                    lock (Service) { S3Requests++; LastS3Request = new S3RequestRecord(ctx.Request.Method, path, headers, text); S3Log.Add(LastS3Request); }
                    if (S3Fault is { } fault)
                    {
                        await Respond(ctx, fault.Status, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>" + fault.Code + "</Code><Message>" + fault.Message +
                            "</Message><RequestId>" + Guid.NewGuid() + "</RequestId></Error>", "application/xml");
                        return;
                    }
                    if (ctx.Request.Method == "PUT")
                    {
                        var md5 = Convert.ToHexString(System.Security.Cryptography.MD5.HashData(Encoding.UTF8.GetBytes(text))).ToLowerInvariant();
                        lock (Service) S3Objects[path] = text;
                        ctx.Response.Headers.ETag = "\"" + md5 + "\"";
                        await Respond(ctx, 200, "", "application/xml");
                        return;
                    }
                    if (ctx.Request.Method == "GET" && ctx.Request.Query.ContainsKey("list-type"))
                    {
                        // ListObjectsV2 of one bucket (/bucket?list-type=2&prefix=...), all in one page.
                        var bucketPath = path.TrimEnd('/') + "/";
                        var listPrefix = bucketPath + ctx.Request.Query["prefix"].ToString();
                        List<string> keys;
                        lock (Service) keys = S3Objects.Keys.Where(k => k.StartsWith(listPrefix, StringComparison.Ordinal)).OrderBy(k => k, StringComparer.Ordinal).ToList();
                        var xml = new StringBuilder("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><IsTruncated>false</IsTruncated>");
                        foreach (var k in keys) xml.Append("<Contents><Key>").Append(System.Security.SecurityElement.Escape(k.Substring(bucketPath.Length))).Append("</Key><Size>1</Size></Contents>");
                        xml.Append("<KeyCount>").Append(keys.Count).Append("</KeyCount></ListBucketResult>");
                        await Respond(ctx, 200, xml.ToString(), "application/xml");
                        return;
                    }
                    if (ctx.Request.Method == "GET")
                    {
                        string? stored;
                        lock (Service) S3Objects.TryGetValue(path, out stored);
                        if (stored == null)
                            await Respond(ctx, 404, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message></Error>", "application/xml");
                        else
                            await Respond(ctx, 200, stored, "application/octet-stream");
                        return;
                    }
                    await Respond(ctx, 501, "<Error><Code>NotImplemented</Code><Message>Only PUT is served here.</Message></Error>", "application/xml");
                    return;
                }
                else
                {
                    var form = ParseForm(text);
                    foreach (var (key, value) in ctx.Request.Query) form[key] = value.ToString();
                    var account = Sts.AccountOf(accessKey);
                    // In flight from here until the answer is sent, which takes the world's latency (as EC2 takes
                    // 100-500 ms), whether the call succeeds, fails, or its reply is lost.
                    var flight = Service.Enter(account, region, form.GetValueOrDefault("GroupId"));
                    try
                    {
                        try { body = Service.Handle(account, region, form, accessKey, flight); }
                        finally { if (Service.Latency > TimeSpan.Zero) await Task.Delay(Service.Latency); }
                    }
                    finally { Service.Exit(account, region, form.GetValueOrDefault("GroupId")); }
                }
            }
        }
        catch (LostReplyException)
        {
            // Applied, but the answer never arrives: the connection is reset before a byte of it is sent.
            ctx.Abort();
            return;
        }
        catch (Ec2Error e)
        {
            status = e.Status;
            body = ctx.Request.Path == "/federation/credentials"
                ? JsonSerializer.Serialize(new { message = e.Message })
                : isSts ? StsService.ErrorXml(e) : Ec2Service.ErrorXml(e);
            if (ctx.Request.Path == "/federation/credentials") { contentType = "application/json"; ctx.Response.Headers["x-amzn-ErrorType"] = e.Code; }
        }
        catch (Exception e)
        {
            status = 500;
            body = Ec2Service.ErrorXml(new Ec2Error(500, "InternalError", e.Message));
        }
        await Respond(ctx, status, body, contentType);
    }

    public Ec2Error? S3Fault { get; set; }
    /// <summary>Objects PUT to the stand-in S3, by path (/bucket/key), so that a record written can be read back.</summary>
    public Dictionary<string, string> S3Objects { get; } = new(StringComparer.Ordinal);
    public List<S3RequestRecord> S3Log { get; } = new();
    public int S3Requests { get; private set; }
    public S3RequestRecord? LastS3Request { get; private set; }

    public sealed record S3RequestRecord(string Method, string Path, Dictionary<string, string> Headers, string Body);

    public sealed record S3ObjectRequest(string Path, string Body);

    private static async Task Respond(HttpContext ctx, int status, string body, string contentType)
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        ctx.Response.StatusCode = status;
        ctx.Response.ContentType = contentType;
        ctx.Response.ContentLength = bytes.Length;
        await ctx.Response.Body.WriteAsync(bytes);
    }

    private string Control(string method, string path, string body)
    {
        switch (method, path)
        {
            case ("POST", "/_control/world"):
                Service.Load(JsonSerializer.Deserialize<WorldSpec>(body, Json.Options) ?? new WorldSpec());
                return "{}";
            case ("GET", "/_control/world"):
                return JsonSerializer.Serialize(Service.Snapshot(), Json.Options);
            case ("GET", "/_control/calls"):
                return JsonSerializer.Serialize(Service.Calls(), Json.Options);
            case ("POST", "/_control/s3-fault"):
            {
                var f = JsonSerializer.Deserialize<FaultSpec>(body, Json.Options)!;
                S3Fault = new Ec2Error(f.Status, f.Code, f.Message);
                return "{}";
            }
            case ("POST", "/_control/s3-object"):
            {
                // An object put there by the test (an exceptions file, a record of another tool), as /bucket/key.
                var o = JsonSerializer.Deserialize<S3ObjectRequest>(body, Json.Options)!;
                lock (Service) S3Objects[o.Path] = o.Body;
                return "{}";
            }
            case ("GET", "/_control/s3-requests"):
                lock (Service) return JsonSerializer.Serialize(new { count = S3Requests, last = LastS3Request, all = S3Log.Select(r => new { r.Method, r.Path }).ToList() });
            case ("POST", "/_control/s3-fault/clear"):
                S3Fault = null;
                return "{}";
            case ("POST", "/_control/calls/reset"):
                Service.ResetCalls();
                Sts.ResetCalls();
                lock (Service) S3Log.Clear();
                return "{}";
            case ("POST", "/_control/faults"):
                Service.AddFault(JsonSerializer.Deserialize<FaultSpec>(body, Json.Options)!);
                return "{}";
            case ("POST", "/_control/delete-rules"):
            {
                var req = JsonSerializer.Deserialize<DeleteRulesRequest>(body, Json.Options)!;
                return JsonSerializer.Serialize(new { deleted = Service.DeleteRules(req.Region, req.RuleIds) });
            }
            case ("GET", "/_control/sts-calls"):
                return JsonSerializer.Serialize(Sts.Calls(), Json.Options);
            case ("POST", "/_control/modify-rule"):
                Service.ModifyRule(JsonSerializer.Deserialize<ModifyRuleRequest>(body, Json.Options)!);
                return "{}";
            case ("POST", "/_control/pin-region"):
                // A misrouting endpoint: every request is answered from this region's state, whatever its signature says.
                Service.PinnedRegion = JsonSerializer.Deserialize<PinRegionRequest>(body, Json.Options)?.Region;
                return "{}";
            case ("POST", "/_control/delete-group"):
            {
                var req = JsonSerializer.Deserialize<DeleteGroupRequest>(body, Json.Options)!;
                return JsonSerializer.Serialize(new { deleted = Service.DeleteGroup(req.Region, req.GroupId) });
            }
            default:
                throw new Ec2Error(404, "NotFound", $"No control endpoint {method} {path}");
        }
    }

    private sealed record DeleteRulesRequest(string Region, List<string> RuleIds);
    private sealed record DeleteGroupRequest(string Region, string GroupId);

    public static Dictionary<string, string> ParseForm(string body)
    {
        var form = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in body.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            int eq = pair.IndexOf('=');
            var key = Uri.UnescapeDataString((eq < 0 ? pair : pair[..eq]).Replace('+', ' '));
            var value = eq < 0 ? "" : Uri.UnescapeDataString(pair[(eq + 1)..].Replace('+', ' '));
            form[key] = value;
        }
        return form;
    }
}
