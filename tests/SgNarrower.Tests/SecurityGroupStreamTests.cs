using SgNarrower.AwsApi;
using SgNarrower.Offline;
using Xunit;
using static SgNarrower.Tests.JsonBytes;

namespace SgNarrower.Tests;

/// <summary>The streaming reader gives exactly what the whole-document reader gives, group by group.</summary>
public sealed class SecurityGroupStreamTests
{
    private static string SamplePath =>
        Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", "..", "samples", "security-groups.json");

    private static List<SecurityGroupSnapshot> Stream(string json) => SecurityGroupStream.Read(Utf8(json)).ToList();

    private static string Describe(IEnumerable<SecurityGroupSnapshot> groups) => string.Join("\n", groups.Select(g =>
        $"{g.GroupId}|{g.GroupName}|{g.OwnerId}|{g.VpcId}|{string.Join(",", g.Tags.Select(t => t.Key + "=" + t.Value))}|" +
        string.Join(";", g.IpPermissions.Select(p => $"{p.IpProtocol} {p.FromPort} {p.ToPort} " +
            string.Join(",", p.Ipv4Ranges.Concat(p.Ipv6Ranges).Select(r => r.Cidr + "'" + r.Description)) + " " +
            string.Join(",", p.ReferencedGroupIds.Concat(p.PrefixListIds))))));

    [Theory]
    [InlineData("cli")]
    [InlineData("array")]
    [InlineData("single")]
    public void Streams_the_same_groups_as_the_whole_document_reader(string shape)
    {
        var cli = File.ReadAllText(SamplePath);
        var groups = SecurityGroupJsonReader.Read(cli);
        var json = shape switch
        {
            "cli" => cli,
            "array" => "[" + string.Join(",", ArrayItems(cli)) + "]",
            _ => ArrayItems(cli)[0],
        };
        var expected = shape == "single" ? groups.Take(1).ToList() : groups;
        Assert.Equal(Describe(expected), Describe(Stream(json)));
    }

    /// <summary>The sample's groups as separate JSON texts, cut with the whole-document parser's help.</summary>
    private static List<string> ArrayItems(string cli)
    {
        var root = (Json.JsonObject)Json.JsonParser.Parse(cli)!;
        return ((List<object?>)root["SecurityGroups"]!).Select(g => Json.JsonWriter.Write(ToPairs(g))).ToList();
    }

    private static object? ToPairs(object? v) => v switch
    {
        Json.JsonObject o => o.Select(kv => new KeyValuePair<string, object?>(kv.Key, ToPairs(kv.Value))).ToList(),
        List<object?> l => l.Select(ToPairs).ToList(),
        Json.JsonNumber n => int.Parse(n.Text),
        _ => v,
    };

    [Fact]
    public void Keeps_strings_with_escapes_braces_and_commas_intact_and_skips_other_root_members()
    {
        var json = "{\"NextToken\": null, \"Other\": {\"a\": [1, {\"b\": \"}]\"}]},\n \"SecurityGroups\": [\n" +
                   "{\"GroupId\": \"sg-1\", \"GroupName\": \"a \\\"quoted\\\" {name}, with [brackets]\\n\\u00e9\", \"IpPermissions\": []}\n]}";
        var g = Assert.Single(Stream(json));
        Assert.Equal("a \"quoted\" {name}, with [brackets]\né", g.GroupName);
    }

    [Theory]
    [InlineData("{\"SecurityGroups\": [{\"GroupId\": \"sg-1\"},\n{\"GroupId\": \"sg-2\",}\n]}", "line 2")]
    [InlineData("{\"SecurityGroups\": [{\"GroupId\": \"sg-1\"}", "line 1")]
    [InlineData("{\"Reservations\": []}", "not a security-group export")]
    [InlineData("", "empty")]
    [InlineData("{\"SecurityGroups\": {}}", "should be a list")]
    public void Broken_files_say_what_and_where(string json, string message)
    {
        var e = Assert.ThrowsAny<FormatException>(() => Stream(json));
        Assert.Contains(message, e.Message);
    }

    [Fact]
    public void Yields_each_group_before_reading_the_next()
    {
        // A reader that fails after the first group's text: the first group must already have come out.
        var json = "{\"SecurityGroups\": [{\"GroupId\": \"sg-1\", \"IpPermissions\": []}, {\"GroupId\": \"sg-2\"" + new string(' ', 70000) + "BROKEN";
        using var e = SecurityGroupStream.Read(Utf8(json)).GetEnumerator();
        Assert.True(e.MoveNext());
        Assert.Equal("sg-1", e.Current.GroupId);
        Assert.ThrowsAny<FormatException>(() => e.MoveNext());
    }
}
