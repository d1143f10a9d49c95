namespace System.Runtime.CompilerServices
{
    /// <summary>Lets netstandard2.0 code use init-only properties and records (the type ships with .NET 5 and later).</summary>
    internal static class IsExternalInit { }
}
