using SgNarrower.Json;
using SgNarrower.Matching;
using SgNarrower.Offline;
using Xunit;

namespace SgNarrower.Tests;

public class JsonReaderTests
{
    private static string SamplePath =>
        Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", "..", "samples", "security-groups.json");

    [Fact]
    public void Reads_the_cli_shape_of_the_shipped_sample()
    {
        var groups = SecurityGroupJsonReader.Read(File.ReadAllText(SamplePath));
        Assert.Equal(7, groups.Count);
        var bastion = groups[0];
        Assert.Equal("sg-0a1b2c3d4e5f60001", bastion.GroupId);
        Assert.Equal("bastion", bastion.GroupName);
        Assert.Equal("vpc-0123456789abcdef0", bastion.VpcId);
        Assert.Equal("platform", bastion.Tags["team"]);
        var p = Assert.Single(bastion.IpPermissions);
        Assert.Equal(("tcp", 22, 22), (p.IpProtocol, p.FromPort, p.ToPort));
        Assert.Equal("SSH from anywhere (temporary)", Assert.Single(p.Ipv4Ranges).Description);
        Assert.Equal("::/0", Assert.Single(p.Ipv6Ranges).Cidr);
        var allTraffic = groups[2].IpPermissions[0];
        Assert.Null(allTraffic.FromPort);
        Assert.Equal("pl-0a1b2c3d4e5f6a7b8", groups[3].IpPermissions[2].PrefixListIds.Single());
        Assert.Equal("sg-0a1b2c3d4e5f60002", groups[3].IpPermissions[0].ReferencedGroupIds.Single());
    }

    [Fact]
    public void Sample_scan_finds_exactly_the_open_rules()
    {
        var matcher = new OpenRuleMatcher(new OpenRulePolicy());
        var rules = SecurityGroupJsonReader.Read(File.ReadAllText(SamplePath)).SelectMany(g => matcher.Match(g, null)).ToList();
        Assert.Equal(13, rules.Count);
        Assert.DoesNotContain(rules, r => r.GroupId == "sg-0a1b2c3d4e5f60007");
        Assert.Contains(rules, r => r.IpProtocol == "50" && r.Description == "IPsec ESP");
    }

    [Fact]
    public void Reads_the_aws_tools_shape_array_with_ipv4ranges_and_legacy_ipranges()
    {
        const string json = """
        [
          { "GroupId": "sg-1", "GroupName": "a", "VpcId": "vpc-1", "OwnerId": "1",
            "IpPermissions": [ { "FromPort": 0, "ToPort": 0, "IpProtocol": "-1",
                                 "IpRanges": [ "0.0.0.0/0" ],
                                 "Ipv4Ranges": [ { "CidrIp": "0.0.0.0/0", "Description": "all" } ],
                                 "Ipv6Ranges": [], "PrefixListIds": [], "UserIdGroupPairs": [] } ],
            "Tags": [ { "Key": "k", "Value": "v" } ] }
        ]
        """;
        var g = Assert.Single(SecurityGroupJsonReader.Read(json));
        var range = Assert.Single(g.IpPermissions[0].Ipv4Ranges);
        Assert.Equal("all", range.Description);
        Assert.Equal("v", g.Tags["k"]);
    }

    [Fact]
    public void Reads_a_single_group_object()
    {
        var g = Assert.Single(SecurityGroupJsonReader.Read("""{ "GroupId": "sg-9", "IpPermissions": null }"""));
        Assert.Empty(g.IpPermissions);
    }

    [Theory]
    [InlineData("{ \"SecurityGroups\": [ ", "not valid JSON")]
    [InlineData("{ \"Reservations\": [] }", "not a security-group export")]
    [InlineData("42", "not a security-group export")]
    [InlineData("[ { \"GroupName\": \"x\" } ]", "has no GroupId")]
    [InlineData("[ { \"GroupId\": \"sg-1\", \"IpPermissions\": [ \"Amazon.EC2.Model.IpPermission\" ] } ]", "-Depth 5")]
    [InlineData("[ { \"GroupId\": \"sg-1\", \"IpPermissions\": [ { \"IpProtocol\": \"bogus\" } ] } ]", "not an IP protocol")]
    [InlineData("[ { \"GroupId\": \"sg-1\", \"IpPermissions\": [ { \"IpProtocol\": \"tcp\", \"FromPort\": \"x\" } ] } ]", "FromPort")]
    public void Bad_files_say_what_is_wrong(string json, string expected)
    {
        var e = Assert.Throws<SecurityGroupFileException>(() => SecurityGroupJsonReader.Read(json));
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void Parser_reports_line_and_column()
    {
        var e = Assert.Throws<JsonParseException>(() => JsonParser.Parse("{\n  \"a\": tru\n}"));
        Assert.Equal(2, e.Line);
    }

    [Fact]
    public void Parser_and_writer_round_trip_strings_with_escapes()
    {
        var text = "quote \" slash \\ newline \n tab \t unicode é \u0001";
        var json = JsonWriter.Write(new Dictionary<string, object?> { ["s"] = text, ["n"] = 5, ["b"] = true, ["z"] = null });
        var back = (JsonObject)JsonParser.Parse(json)!;
        Assert.Equal(text, back.GetString("s"));
        Assert.Equal(5, back.GetInt32("n"));
        Assert.Equal(true, back["b"]);
        Assert.Null(back["z"]);
    }
}
