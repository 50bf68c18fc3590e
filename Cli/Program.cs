// The arraylang command line; everything happens in CliMain so that tests can run it in-process.
// The command runs on a thread with a large stack, so that every program within the IR's nesting
// limit runs instead of stopping short on the main thread's 8 MB (Note [nesting depth] in
// Core.CSharp/Ir/Nesting.cs); the stack is reserved, and only the part a program uses is committed.
int exitCode = 0;
var worker = new Thread(() => exitCode = ArrayLang.Cli.CliMain.Run(args, Console.Out, Console.Error), ArrayLang.Cli.CliMain.StackBytes);
worker.Start();
worker.Join();
return exitCode;
