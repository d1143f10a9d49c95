using System.Reflection;
using System.Runtime.Loader;

namespace SgNarrower.Loading
{
    /// <summary>
    /// The load context for the AWS layer on PowerShell 7. Assemblies in Dependencies/ load here; SgNarrower.Core is
    /// handed over from the default context so that the interfaces the module uses are the same types; anything else
    /// (the framework) comes from the default context. An assembly the host already provides (System.Memory,
    /// System.Text.Json, ...) is never loaded from Dependencies/: the netstandard2.0 copies shipped there for Windows
    /// PowerShell would otherwise bring second copies of framework types.
    /// </summary>
    internal sealed class DependencyLoadContext : AssemblyLoadContext
    {
        private static DependencyLoadContext? _instance;
        private readonly string _dir;

        private DependencyLoadContext(string dir) { _dir = dir; }

        public static DependencyLoadContext Create(string dir) => _instance ??= new DependencyLoadContext(dir);

        protected override Assembly? Load(AssemblyName assemblyName)
        {
            var shared = typeof(SgNarrower.AwsApi.IAwsClientFactory).Assembly;
            if (assemblyName.Name == shared.GetName().Name) return shared;
            if (assemblyName.Name != null && PlatformAssemblies.Contains(assemblyName.Name)) return null;
            var path = Path.Combine(_dir, assemblyName.Name + ".dll");
            return File.Exists(path) ? LoadFromAssemblyPath(path) : null;
        }

        private static readonly HashSet<string> PlatformAssemblies = ReadPlatformAssemblies();

        private static HashSet<string> ReadPlatformAssemblies()
        {
            var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            var tpa = AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") as string ?? "";
            foreach (var file in tpa.Split(Path.PathSeparator))
                if (file.Length > 0) names.Add(Path.GetFileNameWithoutExtension(file));
            // The AWS SDK is ours to load, whatever the host ships.
            names.RemoveWhere(n => n.StartsWith("AWSSDK.", StringComparison.OrdinalIgnoreCase));
            return names;
        }
    }
}
