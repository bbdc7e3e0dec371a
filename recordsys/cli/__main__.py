from recordsys.cli import main

main()
