using System.Globalization;
using System.Security;
using System.Text.Json;

namespace SgNarrower.TestEc2;

/// <summary>One STS or SSO call, as the tests read them back.</summary>
public sealed class StsCall
{
    public string Action { get; set; } = "";
    public string? RoleArn { get; set; }
    public string? RoleSessionName { get; set; }
    public string? ExternalId { get; set; }
    public string? WebIdentityToken { get; set; }
    public string? CallerAccount { get; set; }
    public bool Denied { get; set; }
}

/// <summary>
/// Stand-ins for STS (Query protocol: AssumeRole, AssumeRoleWithWebIdentity, GetCallerIdentity) and the IAM Identity
/// Center portal (GetRoleCredentials), enough for the SDK's credential providers. Each credential it issues belongs to
/// an account, so the EC2 calls signed with it see that account's world.
/// </summary>
public sealed class StsService(Ec2Service ec2)
{
    private const string Ns = "https://sts.amazonaws.com/doc/2011-06-15/";
    private readonly object _gate = new();
    private readonly Dictionary<string, (string Account, string Arn)> _issued = new(StringComparer.Ordinal);
    private readonly List<StsCall> _calls = new();
    private int _next;

    public List<StsCall> Calls() { lock (_gate) return _calls.ToList(); }
    public void ResetCalls() { lock (_gate) _calls.Clear(); }

    /// <summary>The account a signing key belongs to: the one whose role issued it, else the caller's own.</summary>
    public string AccountOf(string accessKey)
    {
        lock (_gate) return _issued.TryGetValue(accessKey, out var who) ? who.Account : Ec2Service.DefaultAccount;
    }

    public string Handle(string? accessKey, Dictionary<string, string> p)
    {
        var action = p.GetValueOrDefault("Action") ?? throw new Ec2Error(400, "MissingAction", "No Action.");
        lock (_gate)
        {
            var call = new StsCall { Action = action, RoleArn = p.GetValueOrDefault("RoleArn"), RoleSessionName = p.GetValueOrDefault("RoleSessionName"),
                ExternalId = p.GetValueOrDefault("ExternalId"), WebIdentityToken = p.GetValueOrDefault("WebIdentityToken"),
                CallerAccount = accessKey == null ? null : (_issued.TryGetValue(accessKey, out var w) ? w.Account : Ec2Service.DefaultAccount) };
            _calls.Add(call);
            switch (action)
            {
                case "GetCallerIdentity":
                {
                    var (account, arn) = accessKey != null && _issued.TryGetValue(accessKey, out var who) ? who : (Ec2Service.DefaultAccount, $"arn:aws:iam::{Ec2Service.DefaultAccount}:user/tester");
                    return Envelope(action, $"<Arn>{Esc(arn)}</Arn><UserId>AIDATEST</UserId><Account>{account}</Account>");
                }
                case "AssumeRole":
                case "AssumeRoleWithWebIdentity":
                {
                    var roleArn = call.RoleArn ?? throw new Ec2Error(400, "MissingParameter", "RoleArn is required.");
                    var session = call.RoleSessionName ?? throw new Ec2Error(400, "MissingParameter", "RoleSessionName is required.");
                    if (session.Length < 2 || session.Length > 64 || session.Any(c => !(char.IsLetterOrDigit(c) || "+=,.@-_".Contains(c))))
                        throw new Ec2Error(400, "ValidationError", $"1 validation error detected: Value '{session}' at 'roleSessionName' failed to satisfy constraint");
                    var parts = roleArn.Split(':');
                    if (parts.Length != 6 || parts[2] != "iam" || !parts[5].StartsWith("role/", StringComparison.Ordinal))
                        throw new Ec2Error(400, "ValidationError", $"{roleArn} is not a role ARN.");
                    var (account, role) = (parts[4], parts[5][5..]);
                    if (action == "AssumeRoleWithWebIdentity" && string.IsNullOrEmpty(call.WebIdentityToken))
                        throw new Ec2Error(400, "InvalidIdentityToken", "No web identity token.");
                    var world = ec2.World;
                    var spec = account == Ec2Service.DefaultAccount ? new AccountSpec() : world.Accounts.GetValueOrDefault(account);
                    if (spec == null || (spec.Roles.Count > 0 && !spec.Roles.Contains(role)) || (spec.ExternalId != null && spec.ExternalId != call.ExternalId))
                    {
                        call.Denied = true;
                        throw new Ec2Error(403, "AccessDenied", $"User: arn:aws:iam::{call.CallerAccount ?? "web-identity"}:user/tester is not authorized to perform: sts:AssumeRole on resource: {roleArn}");
                    }
                    var key = Issue(account, $"arn:aws:sts::{account}:assumed-role/{role}/{session}");
                    var expires = DateTime.UtcNow.AddSeconds(world.CredentialSeconds).ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
                    return Envelope(action,
                        $"<AssumedRoleUser><Arn>arn:aws:sts::{account}:assumed-role/{Esc(role)}/{Esc(session)}</Arn><AssumedRoleId>AROATEST:{Esc(session)}</AssumedRoleId></AssumedRoleUser>" +
                        $"<Credentials><AccessKeyId>{key}</AccessKeyId><SecretAccessKey>secret-{key}</SecretAccessKey><SessionToken>token-{key}</SessionToken><Expiration>{expires}</Expiration></Credentials>");
                }
                default:
                    throw new Ec2Error(400, "InvalidAction", $"Could not find operation {action}.");
            }
        }
    }

    /// <summary>IAM Identity Center's GetRoleCredentials: the bearer token from the SSO cache buys a role's credentials.</summary>
    public string SsoRoleCredentials(string? bearer, string? accountId, string? roleName)
    {
        lock (_gate)
        {
            _calls.Add(new StsCall { Action = "GetRoleCredentials", RoleArn = $"arn:aws:iam::{accountId}:role/{roleName}", WebIdentityToken = bearer });
            if (string.IsNullOrEmpty(bearer)) throw new Ec2Error(401, "UnauthorizedException", "Session token not found or invalid");
            if (string.IsNullOrEmpty(accountId) || string.IsNullOrEmpty(roleName)) throw new Ec2Error(400, "InvalidRequestException", "account_id and role_name are required");
            var key = Issue(accountId, $"arn:aws:sts::{accountId}:assumed-role/{roleName}/sso");
            long expires = DateTimeOffset.UtcNow.AddSeconds(ec2.World.CredentialSeconds).ToUnixTimeMilliseconds();
            return JsonSerializer.Serialize(new { roleCredentials = new { accessKeyId = key, secretAccessKey = "secret-" + key, sessionToken = "token-" + key, expiration = expires } });
        }
    }

    /// <summary>Container (ECS) and instance (IMDSv2) credential endpoints.</summary>
    public string Metadata(string method, string path, string authorization, string imdsToken)
    {
        lock (_gate)
        {
            _calls.Add(new StsCall { Action = path == "/container-credentials" ? "ContainerCredentials" : "InstanceMetadata " + method + " " + path });
            string Keys(string kind)
            {
                var key = Issue(Ec2Service.DefaultAccount, $"arn:aws:sts::{Ec2Service.DefaultAccount}:assumed-role/{kind}/i-0test");
                var expires = DateTime.UtcNow.AddSeconds(ec2.World.CredentialSeconds).ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
                return JsonSerializer.Serialize(new Dictionary<string, string>
                {
                    ["Code"] = "Success", ["Type"] = "AWS-HMAC", ["AccessKeyId"] = key, ["SecretAccessKey"] = "secret-" + key, ["Token"] = "token-" + key,
                    ["Expiration"] = expires, ["LastUpdated"] = DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
                });
            }
            if (path == "/container-credentials")
            {
                if (authorization != "container-secret") throw new Ec2Error(401, "Unauthorized", "The container authorization token is wrong.");
                return Keys("task-role");
            }
            if (method == "PUT" && path == "/latest/api/token") return "imds-session-token";
            if (imdsToken != "imds-session-token") throw new Ec2Error(401, "Unauthorized", "IMDSv2 needs a session token.");
            if (path.TrimEnd('/') == "/latest/meta-data/iam/security-credentials" || path.TrimEnd('/') == "/latest/meta-data/iam/security-credentials-extended") return "instance-role";
            if (path.EndsWith("/instance-role", StringComparison.Ordinal)) return Keys("instance-role");
            throw new Ec2Error(404, "NotFound", path);
        }
    }

    private string Issue(string account, string arn)
    {
        var key = "ASIA" + account + (++_next).ToString("d6", CultureInfo.InvariantCulture);
        _issued[key] = (account, arn);
        return key;
    }

    private static string Esc(string s) => SecurityElement.Escape(s);

    private static string Envelope(string action, string result) =>
        $"<{action}Response xmlns=\"{Ns}\"><{action}Result>{result}</{action}Result><ResponseMetadata><RequestId>{Guid.NewGuid()}</RequestId></ResponseMetadata></{action}Response>";

    public static string ErrorXml(Ec2Error e) =>
        $"<ErrorResponse xmlns=\"{Ns}\"><Error><Type>Sender</Type><Code>{Esc(e.Code)}</Code><Message>{Esc(e.Message)}</Message></Error><RequestId>{Guid.NewGuid()}</RequestId></ErrorResponse>";
}
