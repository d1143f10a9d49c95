using SgNarrower.AwsApi;
using SgNarrower.AwsSdk;
using SgNarrower.TestEc2;

namespace SgNarrower.Tests;

/// <summary>Tests through the real AWS SDK against the tests' EC2 endpoint over HTTP, on 127.0.0.1: one server and one session a test.</summary>
public abstract class OverHttp : IDisposable
{
    protected readonly Ec2TestServer Server = new Ec2TestServer().Start();
    protected readonly IAwsSession Session;

    protected OverHttp()
    {
        Session = new AwsClientFactory().CreateSession(new AwsConnection { AccessKey = "a", SecretKey = "b", EndpointUrl = Server.Url });
    }

    public void Dispose()
    {
        Session.Dispose();
        Server.Dispose();
        GC.SuppressFinalize(this);
    }
}
