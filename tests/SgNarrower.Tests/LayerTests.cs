using System.Text.RegularExpressions;
using Xunit;

namespace SgNarrower.Tests;

/// <summary>
/// The core's shape, read from its sources: folder = namespace, one type per file, and namespaces that use only the
/// layers below them, so that no two of them use each other.
/// </summary>
public class LayerTests
{
    /// <summary>Bottom first: each namespace may use only those before it.</summary>
    private static readonly string[] Layers =
    {
        "SgNarrower.Rules", "SgNarrower", "SgNarrower.AwsApi", "SgNarrower.Json", "SgNarrower.Concurrency",
        "SgNarrower.Matching", "SgNarrower.Offline", "SgNarrower.Exposure", "SgNarrower.Scanning", "SgNarrower.Evidence",
        "SgNarrower.Changes", "SgNarrower.Audit", "SgNarrower.Provenance", "SgNarrower.Exceptions", "SgNarrower.Reporting", "SgNarrower.Findings",
    };

    private static readonly Regex Declaration = new(@"^    (?:public|internal)\s+(?:sealed\s+|static\s+|abstract\s+|readonly\s+)*(?:partial\s+)?(?:class|interface|enum|struct|record)\s+(\w+)", RegexOptions.Multiline);

    private static string CoreFolder()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir != null && !File.Exists(Path.Combine(dir.FullName, "SgNarrower.sln"))) dir = dir.Parent;
        Assert.NotNull(dir);
        return Path.Combine(dir!.FullName, "src", "SgNarrower.Core");
    }

    private static List<(string File, string Namespace, string Text)> Sources()
    {
        var root = CoreFolder();
        return Directory.EnumerateFiles(root, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}") && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}") && !f.Contains("Polyfills"))
            .Select(f =>
            {
                var text = File.ReadAllText(f);
                var ns = Regex.Match(text, @"^namespace\s+([\w.]+)", RegexOptions.Multiline).Groups[1].Value;
                return (Path.GetRelativePath(root, f), ns, text);
            }).ToList();
    }

    [Fact]
    public void Each_folder_is_its_namespace_and_each_file_holds_one_type_named_as_the_file()
    {
        foreach (var (file, ns, text) in Sources())
        {
            var folder = Path.GetDirectoryName(file)!.Replace(Path.DirectorySeparatorChar, '.');
            Assert.Equal(folder.Length == 0 ? "SgNarrower" : "SgNarrower." + folder, ns);
            var types = Declaration.Matches(text).Select(m => m.Groups[1].Value).ToList();
            Assert.True(types.Count == 1, $"{file} declares {string.Join(", ", types)}");
            Assert.Equal(Path.GetFileNameWithoutExtension(file), types[0]);
        }
    }

    [Fact]
    public void Namespaces_use_only_the_layers_below_them()
    {
        var sources = Sources();
        var typeNamespace = sources.SelectMany(s => Declaration.Matches(s.Text).Select(m => (Type: m.Groups[1].Value, s.Namespace)))
            .ToDictionary(t => t.Type, t => t.Namespace);
        var problems = new List<string>();
        foreach (var (file, ns, text) in sources)
        {
            int layer = Array.IndexOf(Layers, ns);
            Assert.True(layer >= 0, $"{ns} ({file}) is in no layer");
            var code = Regex.Replace(Regex.Replace(text, @"//.*", ""), "\"(?:[^\"\\\\\\n]|\\\\.)*\"", "\"\"");
            var used = Regex.Matches(code, @"^using (SgNarrower[\w.]*);", RegexOptions.Multiline).Select(m => m.Groups[1].Value).ToHashSet();
            // A type of the root namespace is seen without a using; so is one named with its namespace.
            foreach (var (type, typeNs) in typeNamespace)
                if (typeNs != ns && Regex.IsMatch(code, $@"(?<![\w.]){type}\b|\b{Regex.Escape(typeNs.Replace("SgNarrower.", ""))}\.{type}\b"))
                    used.Add(typeNs);
            foreach (var u in used.Where(u => u != ns))
                if (Array.IndexOf(Layers, u) >= layer) problems.Add($"{file} ({ns}) uses {u}, a layer at or above its own");
        }
        Assert.Empty(problems);
    }
}
