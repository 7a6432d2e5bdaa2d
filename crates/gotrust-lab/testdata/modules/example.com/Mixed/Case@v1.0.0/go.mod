module example.com/Mixed/Case

go 1.21
