target "base" {
  dockerfile = "base.Dockerfile"
  target     = "base"
}

target "tools" {
  dockerfile = "base.Dockerfile"
  target     = "tools"
}

target "app" {
  dockerfile = "app.Dockerfile"
  contexts = {
    mybase = "target:base"
    tools  = "target:tools"
  }
}
