// The arraylang command line (check, print, run): filled in by the CLI change.
return 0;
