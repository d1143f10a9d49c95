using System.Text;
using SgNarrower.Json;
using SgNarrower.Offline;
using Xunit;
using static SgNarrower.Tests.JsonBytes;

namespace SgNarrower.Tests;

/// <summary>Test input as the bytes a file holds.</summary>
public static class JsonBytes
{
    public static Stream Utf8(string json) => new MemoryStream(new UTF8Encoding(false).GetBytes(json));

    /// <summary>A stream that hands out at most <paramref name="block"/> bytes a read, to cut every token at a block's edge.</summary>
    public static Stream Trickle(byte[] bytes, int block) => new TrickleStream(bytes, block);

    private sealed class TrickleStream : MemoryStream
    {
        private readonly int _block;
        public TrickleStream(byte[] bytes, int block) : base(bytes) { _block = block; }
        public override int Read(byte[] buffer, int offset, int count) => base.Read(buffer, offset, Math.Min(count, _block));
    }
}

/// <summary>The one JSON reader: the same values whatever the blocks, one rule for keys given twice, one set of messages.</summary>
public sealed class JsonTokenReaderTests
{
    private static string SamplePath =>
        Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", "..", "samples", "security-groups.json");

    private static string Describe(IEnumerable<AwsApi.SecurityGroupSnapshot> groups) => string.Join("\n", groups.Select(g =>
        $"{g.GroupId}|{g.GroupName}|{g.VpcId}|{string.Join(",", g.Tags.Select(t => t.Key + "=" + t.Value))}|" +
        string.Join(";", g.IpPermissions.Select(p => $"{p.IpProtocol} {p.FromPort} {p.ToPort} " +
            string.Join(",", p.Ipv4Ranges.Concat(p.Ipv6Ranges).Select(r => r.Cidr + "'" + r.Description))))));

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(7)]
    public void Reads_the_same_groups_whatever_the_size_of_the_blocks_the_stream_hands_out(int block)
    {
        var bytes = File.ReadAllBytes(SamplePath);
        var expected = Describe(SecurityGroupJsonReader.Read(File.ReadAllText(SamplePath)));
        Assert.Equal(expected, Describe(SecurityGroupStream.Read(Trickle(bytes, block))));
    }

    [Fact]
    public void Reads_utf8_with_and_without_a_byte_order_mark_and_utf16_with_one()
    {
        const string json = "{\"SecurityGroups\":[{\"GroupId\":\"sg-1\",\"GroupName\":\"caf\u00e9 \u6f22 \U0001F600\"}]}";
        var plain = new UTF8Encoding(false).GetBytes(json);
        foreach (var bytes in new[] { plain, new UTF8Encoding(true).GetPreamble().Concat(plain).ToArray(),
                                      Encoding.Unicode.GetPreamble().Concat(Encoding.Unicode.GetBytes(json)).ToArray(),
                                      Encoding.BigEndianUnicode.GetPreamble().Concat(Encoding.BigEndianUnicode.GetBytes(json)).ToArray() })
            Assert.Equal("caf\u00e9 \u6f22 \U0001F600", Assert.Single(SecurityGroupStream.Read(Trickle(bytes, 5))).GroupName);
    }

    [Fact]
    public void Escapes_give_the_characters_they_name_and_half_a_character_is_refused()
    {
        Assert.Equal("\u00e9\U0001F600/\"\n", JsonParser.Parse("\"\\u00e9\\ud83d\\ude00\\/\\\"\\n\""));
        foreach (var half in new[] { "\"\\ud83d\"", "\"\\ude00\"", "\"\\ud83d\\u0041\"" })
            Assert.Contains("half of a character", Assert.Throws<JsonParseException>(() => JsonParser.Parse(half)).Message);
    }

    [Fact]
    public void Bytes_that_are_not_utf8_in_a_value_read_are_refused()
    {
        var bytes = new byte[] { (byte)'"', 0x61, 0xC3, 0x28, (byte)'"' };
        Assert.Contains("not UTF-8", Assert.Throws<JsonParseException>(() => JsonParser.Parse(bytes)).Message);
    }

    [Theory]
    [InlineData("{\"a\": 1, \"A\": 2}", "\"A\" is given twice")]
    [InlineData("[1, 2", "Expected ',' or ']' in a list")]
    [InlineData("{\"a\" 1}", "Expected ':' after a property name")]
    [InlineData("{\"a\": 1,\n \"b\": tru}", "Unexpected word")]
    [InlineData("\"a\nb\"", "runs over the end of a line")]
    [InlineData("1 2", "Unexpected text after the JSON value")]
    [InlineData("", "Unexpected end of JSON")]
    public void One_set_of_messages_with_line_and_column(string json, string message)
    {
        var e = Assert.Throws<JsonParseException>(() => JsonParser.Parse(json));
        Assert.Contains(message, e.Message);
        Assert.Contains("(line ", e.Message);
    }

    [Fact]
    public void The_export_reader_and_the_document_reader_word_a_key_given_twice_alike()
    {
        var doc = Assert.Throws<JsonParseException>(() => JsonParser.Parse("{\"GroupId\": \"sg-1\", \"groupid\": \"sg-2\"}")).Message;
        var export = Assert.Throws<SecurityGroupFileException>(() => SecurityGroupStream.Read(Utf8("[{\"GroupId\": \"sg-1\", \"groupid\": \"sg-2\"}]")).ToList()).Message;
        const string rule = "is given twice in one object; readers disagree about which one counts";
        Assert.Contains(rule, doc);
        Assert.Contains(rule, export);
    }

    [Fact]
    public void Nesting_deeper_than_the_limit_is_refused_not_a_stack_overflow()
    {
        var deep = new string('[', 300) + new string(']', 300);
        Assert.Contains("nested too deeply", Assert.Throws<JsonParseException>(() => JsonParser.Parse(deep)).Message);
        var skipped = "[{\"GroupId\":\"sg-1\",\"Other\":" + deep + "}]";
        Assert.Contains("nested too deeply", Assert.Throws<SecurityGroupFileException>(() => SecurityGroupStream.Read(Utf8(skipped)).ToList()).Message);
    }
}
