from csflows.cli import main

main()
