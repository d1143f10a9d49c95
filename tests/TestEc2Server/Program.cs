using SgNarrower.TestEc2;

// Usage: TestEc2Server [--port N]. Prints "LISTENING <url>" and serves until standard input closes,
// so the server never outlives the test run that started it.
int port = 0;
for (int i = 0; i < args.Length; i++)
    if (args[i] == "--port" && i + 1 < args.Length) port = int.Parse(args[++i]);

using var server = new Ec2TestServer(port).Start();
Console.WriteLine("LISTENING " + server.Url);
Console.Out.Flush();
while (Console.In.ReadLine() != null) { }
