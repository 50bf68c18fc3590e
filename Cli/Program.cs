// The arraylang command line; everything happens in CliMain so that tests can run it in-process.
return ArrayLang.Cli.CliMain.Run(args, Console.Out, Console.Error);
