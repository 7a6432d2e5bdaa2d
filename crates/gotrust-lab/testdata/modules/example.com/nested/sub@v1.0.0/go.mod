module example.com/nested/sub

go 1.21
